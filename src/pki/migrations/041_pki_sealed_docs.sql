-- Documents an agency's seal signed, kept with what they decide (the
-- application of reference object_id): the exact bytes that were signed
-- and the detached signature, so that the applicant downloads both and
-- anyone can check them.  Written by the portal in the transaction of the
-- decision (src/pki/docs.c), so a decision and its signature commit
-- together or not at all.

CREATE TABLE pki_sealed_docs (
    object_id TEXT NOT NULL,              -- e.g. AZ-2026-00000012
    kind TEXT NOT NULL,                   -- decision
    agency TEXT NOT NULL,                 -- whose seal
    created_at BIGINT NOT NULL,
    document TEXT NOT NULL,               -- the signed bytes (UTF-8 text)
    signature TEXT NOT NULL,              -- detached CMS (DER), base64
    seal_serial TEXT NOT NULL,            -- the seal's certificate
    PRIMARY KEY (object_id, kind)
);
