-- Telling the products and the admins when an authorization changes: a transactional outbox.
-- An event is written in the same transaction as the change it reports, together with one
-- delivery per webhook endpoint of its product (and, when re-authorization is required, one per
-- admin of the company with an email address), so a crash can neither lose an event nor send one
-- for a change that did not happen. Workers claim due deliveries with a lease, so with several
-- instances each delivery is attempted by one of them at a time.

ALTER TABLE users ADD COLUMN email TEXT;

-- When the stored token of an authorization UPS cannot be reached for has expired or is about
-- to: the start of a "degraded" incident, reported once, and "recovered" once when it ends.
ALTER TABLE authorizations ADD COLUMN degraded_at INTEGER;

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL CHECK (kind IN ('authorization.authorized', 'authorization.opted_out',
                     'authorization.cleared', 'authorization.reauthorization_required',
                     'authorization.refresh_degraded', 'authorization.refresh_recovered')),
    company_id   INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    product      TEXT    NOT NULL CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    status       TEXT    NOT NULL CHECK (status IN ('not_authorized', 'authorized', 'reauthorization_required')),
    reason       TEXT,
    occurred_at  INTEGER NOT NULL
);
CREATE INDEX events_company ON events(company_id, occurred_at);

-- `secret` and `previous_secret` are sealed with the key ring; a rotated secret keeps signing
-- beside the new one until `previous_until`.
CREATE TABLE webhook_endpoints (
    id               INTEGER PRIMARY KEY,
    product          TEXT    NOT NULL CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    url              TEXT    NOT NULL,
    secret           BLOB    NOT NULL,
    previous_secret  BLOB,
    previous_until   INTEGER,
    created_at       INTEGER NOT NULL,
    removed_at       INTEGER
);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    event_id         INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    endpoint_id      INTEGER REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    email            TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    CHECK ((endpoint_id IS NULL) <> (email IS NULL)),
    UNIQUE (event_id, endpoint_id),
    UNIQUE (event_id, email)
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX deliveries_target ON deliveries(endpoint_id, email, status);
