-- Signed applications (issue 10): the applicant's e-signature over the
-- application's canonical bytes (case_canonical), kept with those very
-- bytes, so that the signed bundle can be handed out and checked with
-- `pencere verify` however the case goes on.  One signature per
-- application: signing again (changed answers) replaces it while a draft.
CREATE TABLE case_signatures (
    app_id TEXT PRIMARY KEY,              -- applications.id
    signed_text TEXT NOT NULL,            -- the canonical bytes signed (UTF-8 JSON)
    digest TEXT NOT NULL,                 -- their SHA-256 (hex)
    cms TEXT NOT NULL,                    -- the detached CMS signature, base64
    signer_name TEXT NOT NULL,
    signer_fin TEXT NOT NULL,
    signer_serial TEXT NOT NULL,
    signer_profile TEXT NOT NULL,
    signing_time INTEGER,                 -- claimed by the signer, unix seconds
    verified_at INTEGER NOT NULL          -- when the portal verified it
);
