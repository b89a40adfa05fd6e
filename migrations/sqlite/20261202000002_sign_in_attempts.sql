-- Recent password guesses, shared by every process on the database (the sign-in throttle), and
-- one row per client address that a reservation holds while it counts.
CREATE TABLE sign_in_attempts (
    id        INTEGER PRIMARY KEY,
    name_key  TEXT    NOT NULL,
    address   TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_address ON sign_in_attempts(address, name_key);

CREATE TABLE sign_in_locks (
    address  TEXT PRIMARY KEY
);
