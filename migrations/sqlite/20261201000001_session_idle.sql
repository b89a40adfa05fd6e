-- Sessions end after an idle period as well as at their absolute expiry: when each was last used.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
