-- Token lifecycle: when each active token is due for refresh, the retry schedule after a provider
-- outage, and the API keys the products' backends use to fetch tokens.

-- Unix seconds at which the worker refreshes this token: its lifetime (from `expires_in`) less a
-- margin, never a hard-coded lifetime.
ALTER TABLE oauth_tokens ADD COLUMN refresh_at INTEGER;
UPDATE oauth_tokens SET refresh_at = expires_at WHERE status = 'active';
CREATE INDEX oauth_tokens_due ON oauth_tokens(refresh_at) WHERE status = 'active';

-- Consecutive transient refresh failures, and when to try again (backoff with jitter).
ALTER TABLE authorizations ADD COLUMN refresh_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE authorizations ADD COLUMN retry_at INTEGER;

-- Keys are 256-bit random secrets, so a SHA-256 is a safe and fast way to keep them: no slow
-- password hash per request. `prefix` is what admins see to tell keys apart.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    product     TEXT    NOT NULL CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    label       TEXT    NOT NULL DEFAULT '',
    prefix      TEXT    NOT NULL UNIQUE,
    key_hash    BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
