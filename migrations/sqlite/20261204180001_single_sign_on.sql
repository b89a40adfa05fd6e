-- Single sign-on. A sign-in under way at an identity provider: single use (taken when the
-- browser comes back), bound to that browser's own cookie (its hash), short-lived; the nonce and
-- the PKCE verifier are sealed together.
CREATE TABLE sso_states (
    state_hash    BLOB   PRIMARY KEY,
    provider      TEXT    NOT NULL,
    browser_hash  BLOB   NOT NULL,
    secrets       BLOB   NOT NULL,
    next          TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);

-- Which user a provider's subject is, once linked (by verified e-mail, or created on first
-- sign-in when the provider's settings say so).
CREATE TABLE user_identities (
    provider    TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_user ON user_identities(user_id);
