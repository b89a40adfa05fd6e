-- When an authorization is next due for a refresh lives on the authorization (it was its active
-- token's): the worker's claim reads one table in the order of one index, and on PostgreSQL the
-- row it locks is the row whose due time it checks.
ALTER TABLE authorizations ADD COLUMN refresh_at BIGINT;
UPDATE authorizations SET refresh_at =
    (SELECT t.refresh_at FROM oauth_tokens t WHERE t.authorization_id = authorizations.id AND t.status = 'active');
CREATE INDEX authorizations_due ON authorizations(refresh_at) WHERE status = 'authorized';
DROP INDEX oauth_tokens_due;
ALTER TABLE oauth_tokens DROP COLUMN refresh_at;
