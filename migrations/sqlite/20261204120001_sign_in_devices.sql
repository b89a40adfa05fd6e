-- Browsers that have signed in as a name (a device cookie's hash): the bound on a name's failed
-- sign-ins across all addresses does not slow them (see server/core/src/throttle.rs).
CREATE TABLE sign_in_devices (
    token_hash  BLOB     PRIMARY KEY,
    name_key    TEXT     NOT NULL,
    created_at  INTEGER  NOT NULL
);
CREATE INDEX sign_in_devices_name ON sign_in_devices(name_key, created_at);
-- A name's recent attempts from every address.
CREATE INDEX sign_in_attempts_name ON sign_in_attempts(name_key, at);
