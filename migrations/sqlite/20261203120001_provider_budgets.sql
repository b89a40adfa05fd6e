-- When UPS pushes back. One budget per UPS application (a product of this deployment), shared by
-- every instance: the refresh rate it allows (a token bucket: `allowance` refreshes left as of
-- `refilled_at`, in Unix milliseconds) and a breaker that opens when UPS throttles or refuses the
-- application. While it is open no refresh leaves any instance but one probe at a time
-- (`probe_at`: the next may start; `probe_until`: the lease of the one under way).
CREATE TABLE provider_budgets (
    product      TEXT    PRIMARY KEY CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    allowance    REAL    NOT NULL,
    refilled_at  INTEGER NOT NULL,
    breaker      TEXT    NOT NULL DEFAULT 'closed' CHECK (breaker IN ('closed', 'open')),
    class        TEXT    CHECK (class IN ('application_refused', 'rate_limited')),
    reason       TEXT,
    opened_at    INTEGER,
    probe_at     INTEGER,
    probe_until  INTEGER,
    probes       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO provider_budgets (product, allowance, refilled_at)
    VALUES ('reverse-logistics', 0, 0), ('pickup-manager', 0, 0), ('data-management', 0, 0);

-- Incidents of an application, for its operators (not for any company): degraded once when the
-- breaker opens, recovered once when it closes; delivered to the operators' webhook and inboxes
-- from the settings, with a lease and retries like the companies' deliveries.
CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL CHECK (kind IN ('application.degraded', 'application.recovered')),
    product      TEXT    NOT NULL CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    class        TEXT,
    reason       TEXT,
    occurred_at  INTEGER NOT NULL
);
CREATE TABLE incident_deliveries (
    id               INTEGER PRIMARY KEY,
    incident_id      INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    -- The operators' webhook (NULL) or one of their email addresses.
    email            TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX incident_deliveries_due ON incident_deliveries(status, next_attempt_at);

-- When an admin last checked the authorization with UPS ("Check now": at most once a minute).
ALTER TABLE authorizations ADD COLUMN checked_at INTEGER;

-- The refresh token's end draws near with no newer one: `authorization.expiring`, once per token.
ALTER TABLE oauth_tokens ADD COLUMN expiring_notified_at INTEGER;

-- `authorization.expiring` joins the events' kinds. SQLite cannot change a CHECK in place, and
-- renaming a table rewrites the references to it while foreign keys are on (they cannot be
-- turned off inside a migration's transaction): the events are rebuilt under their own name, then
-- the deliveries that refer to them, and only then is the old table dropped, no longer referred
-- to, so no delivery is deleted with it.
ALTER TABLE events RENAME TO events_before;
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL CHECK (kind IN ('authorization.authorized', 'authorization.opted_out',
                     'authorization.cleared', 'authorization.reauthorization_required',
                     'authorization.refresh_degraded', 'authorization.refresh_recovered',
                     'authorization.expiring')),
    company_id   INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    product      TEXT    NOT NULL CHECK (product IN ('reverse-logistics', 'pickup-manager', 'data-management')),
    status       TEXT    NOT NULL CHECK (status IN ('not_authorized', 'authorized', 'reauthorization_required')),
    reason       TEXT,
    occurred_at  INTEGER NOT NULL
);
INSERT INTO events SELECT * FROM events_before;
CREATE TABLE deliveries_rebuilt (
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
INSERT INTO deliveries_rebuilt SELECT * FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_rebuilt RENAME TO deliveries;
DROP TABLE events_before;
CREATE INDEX events_company ON events(company_id, occurred_at);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX deliveries_target ON deliveries(endpoint_id, email, status);
