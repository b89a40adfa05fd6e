-- Where each sign-in session was opened, for the admin's own list of them ("Where you're signed
-- in"): the browser's User-Agent (cut to 256 characters) and the client's address. Sessions
-- opened before this migration show neither.
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
