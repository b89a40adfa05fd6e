-- The language a product's backend asked its widget to speak (`en`, `fr-CA`, `es`); none: the
-- browser's Accept-Language decides.
ALTER TABLE embed_sessions ADD COLUMN locale TEXT;
