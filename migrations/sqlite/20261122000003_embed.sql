-- The embeddable widget: single-use embed sessions that a product's backend creates with its API
-- key, for one company and one of its portal's users.

-- `token_hash` is the single-use embed token handed to the product's backend (redeem before
-- `redeem_by`); redeeming it issues the widget's own credential (`key_hash`), valid until
-- `expires_at`. Both are random 256-bit values kept as SHA-256.
CREATE TABLE embed_sessions (
    id                INTEGER PRIMARY KEY,
    token_hash        BLOB    NOT NULL UNIQUE,
    key_hash          BLOB    UNIQUE,
    api_key_id        INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    product           TEXT    NOT NULL CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    company_id        INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    portal_user_id    TEXT    NOT NULL,
    portal_user_name  TEXT    NOT NULL,
    parent_origin     TEXT    NOT NULL,
    return_url        TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    redeem_by         INTEGER NOT NULL,
    redeemed_at       INTEGER,
    expires_at        INTEGER
);
CREATE INDEX embed_sessions_expiry ON embed_sessions(redeem_by);

-- Pending authorizations now come from two places: an admin's session, or a widget's consent
-- window, which is bound to a first-party cookie of its own (`session_hash` is then that cookie's
-- hash, so the foreign key to `sessions` goes). Pending states live minutes; dropping them only
-- means an opt-in in flight during the upgrade is started again.
DROP TABLE oauth_states;
CREATE TABLE oauth_states (
    state_hash        BLOB    PRIMARY KEY,
    session_hash      BLOB    NOT NULL,
    embed_session_id  INTEGER REFERENCES embed_sessions(id) ON DELETE CASCADE,
    -- For a widget: 'popup' (answer the opener) or 'page' (return to the portal).
    embed_mode        TEXT    CHECK (embed_mode IN ('popup', 'page')),
    company_id        INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    product           TEXT    NOT NULL,
    pkce_verifier     BLOB    NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    CHECK ((embed_session_id IS NULL) = (embed_mode IS NULL))
);
CREATE INDEX oauth_states_expiry ON oauth_states(expires_at);

-- Who acted when it was not one of our users: a product portal's user, named as the portal named
-- them.
ALTER TABLE authorizations ADD COLUMN authorized_via TEXT;
ALTER TABLE audit_log ADD COLUMN actor_label TEXT;
