-- A refresh that may have reached UPS and whose answer is not stored yet. Set (and committed)
-- before UPS is asked; cleared in the transaction that stores the rotated pair, or once UPS has
-- answered without rotating. Still set when the next refresh starts means the previous one was
-- interrupted (the process died between UPS's answer and our write, or the answer never arrived):
-- if UPS then refuses the refresh token, the authorization says so instead of blaming a UPS.com
-- password change.
ALTER TABLE authorizations ADD COLUMN refresh_started_at INTEGER;
