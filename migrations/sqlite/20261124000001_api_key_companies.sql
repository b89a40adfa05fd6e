-- An API key may be limited to some companies: a leaked product backend key then exposes only
-- those. `restricted` says so explicitly, so a key whose companies are all deleted reaches none
-- rather than every company.
ALTER TABLE api_keys ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1));

CREATE TABLE api_key_companies (
    api_key_id  INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    PRIMARY KEY (api_key_id, company_id)
);
