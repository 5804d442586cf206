-- How many times the officer lifted a suspension of the grant (branch
-- seal2): each resumption's decision is sealed with the agency's key and
-- kept with the case under its own number (pki_sealed_docs kind
-- grant-resumed-N), as extensions are under theirs.

ALTER TABLE social_grants ADD COLUMN resumptions INTEGER NOT NULL DEFAULT 0;
