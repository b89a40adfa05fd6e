-- A refresh under way holds the authorization until then (Unix seconds): instances sharing a
-- database never refresh one authorization twice, and a lease left by a stopped instance runs out.
ALTER TABLE authorizations ADD COLUMN refresh_lease_until INTEGER;
