-- Roles: a membership makes its user an admin (manages the company's authorizations) or a viewer
-- (looks only). SQLite cannot change a CHECK constraint, so the table is built again; nothing
-- refers to it. A widget's session carries what the portal says of its user the same way.
CREATE TABLE memberships_with_roles (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    role        TEXT    NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'viewer')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, company_id)
);
INSERT INTO memberships_with_roles (user_id, company_id, role, created_at)
    SELECT user_id, company_id, role, created_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_with_roles RENAME TO memberships;
CREATE INDEX memberships_company ON memberships(company_id);

ALTER TABLE embed_sessions ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'viewer'));
