-- Second factors for the service's own accounts: passkeys and authenticator apps (one-time
-- codes), each sealed with the key ring; a TOTP factor counts once its first code has been
-- entered (`confirmed_at`), and `last_step` is the last time step a code was accepted for, so a
-- code works once.
CREATE TABLE second_factors (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL CHECK (kind IN ('totp', 'passkey')),
    label          TEXT    NOT NULL,
    secret         BLOB    NOT NULL,
    credential_id  BLOB,
    last_step      INTEGER,
    confirmed_at   INTEGER,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER
);
CREATE INDEX second_factors_user ON second_factors(user_id);
CREATE UNIQUE INDEX second_factors_credential ON second_factors(credential_id);

-- Single-use recovery codes (their SHA-256: each is 50 random bits, shown once).
CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  BLOB    NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right, waiting for its second factor (`verify`) or for the
-- user's first one (`enrol`). Not a session: it opens no page. Bound to its own cookie (the
-- hash), short-lived, ended after a few wrong codes.
CREATE TABLE sign_in_steps (
    id_hash     BLOB    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('verify', 'enrol')),
    next        TEXT,
    user_agent  TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sign_in_steps_expiry ON sign_in_steps(expires_at);

-- A passkey ceremony between its two halves (the browser asked its authenticator meanwhile):
-- one at a time per session or sign-in step (`owner_hash`), sealed, taken once.
CREATE TABLE passkey_ceremonies (
    owner_hash  BLOB    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('register', 'authenticate')),
    state       BLOB    NOT NULL,
    expires_at  INTEGER NOT NULL
);
