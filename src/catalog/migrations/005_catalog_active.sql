-- Agencies and life situations no longer in the catalogue files are hidden
-- (kept for references from withdrawn services and old applications).
ALTER TABLE agencies ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE life_events ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
