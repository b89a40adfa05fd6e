-- A session an identity provider opened keeps which provider and the ID token it signed in with
-- (sealed, bound to the session), so that signing out can end the provider's session too.
ALTER TABLE sessions ADD COLUMN sso_provider TEXT;
ALTER TABLE sessions ADD COLUMN sso_id_token BYTEA;
