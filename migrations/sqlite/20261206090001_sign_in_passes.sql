-- A browser let past the hold on a name with a recovery code is known to the name for one
-- password check (and that sign-in's second step), not for 90 days: `passes` counts what it has
-- left. NULL is a browser that finished a sign-in (see server/core/src/throttle/mod.rs).
ALTER TABLE sign_in_devices ADD COLUMN passes INTEGER;
