-- Consent links: an admin or a product's backend asks the holder of the company's UPS.com user,
-- who has no account here, to consent. Only the token's hash is kept; the link works once, for
-- its company and product, until it expires or is revoked.
CREATE TABLE consent_links (
    id              INTEGER PRIMARY KEY,
    token_hash      BLOB    NOT NULL UNIQUE,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    product         TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    message         TEXT,
    -- Who asked: one of our users, a product's backend (its key), or neither (an operator); the
-- label names them. A link works only while its sender still may ask (see consent_links.rs).
    sent_by_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
    sent_by_key_id  INTEGER REFERENCES api_keys(id) ON DELETE CASCADE,
    sent_by_label   TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'used', 'revoked')),
    -- The browser that went on to UPS first (its consent cookie's hash): the only one after that.
    browser_hash    BLOB,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    opened_at       INTEGER,
    opened_address  TEXT,
    opened_browser  TEXT,
    finished_at     INTEGER
);
CREATE INDEX consent_links_pending ON consent_links(company_id, product, status, expires_at);

-- A consent started from a link answers on the link's page.
ALTER TABLE oauth_states ADD COLUMN consent_link_id INTEGER REFERENCES consent_links(id) ON DELETE CASCADE;
