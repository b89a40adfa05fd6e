-- A dead grant's reason becomes a code, as an ended authorization's already is ('opted_out',
-- 'cleared'): 'refresh_refused', 'refresh_interrupted' (with when that refresh started) or
-- 'no_refresh_token'. UPS's own words move beside it, to status_detail. The sentences stored so
-- far are read back into the three: each was written from one fixed template.
ALTER TABLE authorizations ADD COLUMN status_detail TEXT;
ALTER TABLE authorizations ADD COLUMN interrupted_refresh_at INTEGER;

UPDATE authorizations SET
    status_detail = substr(status_reason, 35, length(status_reason) - 34 - 66),
    status_reason = 'refresh_refused'
WHERE status = 'reauthorization_required'
  AND status_reason LIKE 'UPS refused to refresh the token (%'
  AND status_reason LIKE '%). The UPS.com password of the user who opted in may have changed.';

-- 'A refresh started at YYYY-MM-DD HH:MM UTC was interrupted … it replaced (UPS's words).'
UPDATE authorizations SET
    interrupted_refresh_at = CAST(strftime('%s', substr(status_reason, 22, 16)) AS INTEGER),
    status_detail = substr(status_reason, 204, length(status_reason) - 203 - 2),
    status_reason = 'refresh_interrupted'
WHERE status = 'reauthorization_required' AND status_reason LIKE 'A refresh started at %';

UPDATE authorizations SET status_reason = 'no_refresh_token'
WHERE status = 'reauthorization_required' AND status_reason = 'UPS issued no refresh token';

-- Anything else (no template wrote it) keeps its words, as UPS's.
UPDATE authorizations SET status_detail = status_reason, status_reason = 'refresh_refused'
WHERE status = 'reauthorization_required'
  AND (status_reason IS NULL OR status_reason NOT IN ('refresh_refused', 'refresh_interrupted', 'no_refresh_token'));
