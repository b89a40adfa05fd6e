-- Times are Unix seconds (INTEGER). Bearer secrets (session ids, OAuth states) are stored as their
-- SHA-256; OAuth tokens and PKCE verifiers are stored encrypted (XChaCha20-Poly1305).

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    sign_in_name   TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name   TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE companies (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    created_at  INTEGER NOT NULL
);

-- Which user administers which company.
CREATE TABLE memberships (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    role        TEXT    NOT NULL DEFAULT 'admin' CHECK (role IN ('admin')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, company_id)
);
CREATE INDEX memberships_company ON memberships(company_id);

CREATE TABLE sessions (
    id_hash     BLOB    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- One row per (company, product): its history survives opt-out and re-authorization.
CREATE TABLE authorizations (
    id                 INTEGER PRIMARY KEY,
    company_id         INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    product            TEXT    NOT NULL CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    status             TEXT    NOT NULL CHECK (status IN ('authorized', 'reauthorization_required', 'revoked')),
    status_reason      TEXT,
    status_changed_at  INTEGER NOT NULL,
    authorized_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    authorized_at      INTEGER,
    UNIQUE (company_id, product)
);

-- Every token pair ever issued to an authorization. The secrets are wiped (NULL) as soon as a
-- token is superseded or cleared; the row stays so admins can see when tokens were issued.
CREATE TABLE oauth_tokens (
    id                  INTEGER PRIMARY KEY,
    authorization_id    INTEGER NOT NULL REFERENCES authorizations(id) ON DELETE CASCADE,
    status              TEXT    NOT NULL CHECK (status IN ('active', 'refreshed', 'replaced', 'cleared')),
    fingerprint         TEXT    NOT NULL,
    access_token        BLOB,
    refresh_token       BLOB,
    issued_at           INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    refresh_expires_at  INTEGER,
    CHECK ((status = 'active') = (access_token IS NOT NULL))
);
CREATE INDEX oauth_tokens_authorization ON oauth_tokens(authorization_id, issued_at DESC);
CREATE UNIQUE INDEX oauth_tokens_one_active ON oauth_tokens(authorization_id) WHERE status = 'active';

-- Pending authorization requests: single use (deleted when the callback arrives), bound to the
-- session that started them, short-lived.
CREATE TABLE oauth_states (
    state_hash     BLOB    PRIMARY KEY,
    session_hash   BLOB    NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
    company_id     INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    product        TEXT    NOT NULL,
    pkce_verifier  BLOB    NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX oauth_states_expiry ON oauth_states(expires_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    company_id  INTEGER REFERENCES companies(id) ON DELETE CASCADE,
    product     TEXT,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_company ON audit_log(company_id, at DESC);

-- The built-in UPS sandbox provider: its own users, codes, grants and tokens, kept apart from the
-- application's tables exactly as UPS's would be.
CREATE TABLE sandbox_users (
    username             TEXT    PRIMARY KEY COLLATE NOCASE,
    email                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash        TEXT    NOT NULL,
    password_changed_at  INTEGER NOT NULL
);

CREATE TABLE sandbox_grants (
    id          INTEGER PRIMARY KEY,
    client_id   TEXT    NOT NULL,
    username    TEXT    NOT NULL REFERENCES sandbox_users(username) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE sandbox_codes (
    code_hash       BLOB    PRIMARY KEY,
    grant_id        INTEGER NOT NULL REFERENCES sandbox_grants(id) ON DELETE CASCADE,
    redirect_uri    TEXT    NOT NULL,
    code_challenge  TEXT,
    expires_at      INTEGER NOT NULL
);

CREATE TABLE sandbox_tokens (
    token_hash  BLOB    PRIMARY KEY,
    grant_id    INTEGER NOT NULL REFERENCES sandbox_grants(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX sandbox_tokens_grant ON sandbox_tokens(grant_id);
