-- Roles: a membership makes its user an admin (manages the company's authorizations) or a viewer
-- (looks only). A widget's session carries what the portal says of its user the same way.
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('admin', 'viewer'));

ALTER TABLE embed_sessions ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'viewer'));
