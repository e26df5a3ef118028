-- The language a caregiver reads the app in ('en', 'es', ...); NULL follows the
-- browser of each phone (caregiver/i18n.py).
ALTER TABLE users ADD COLUMN language TEXT;
