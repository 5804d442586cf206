-- The e-safe (src/esafe): one row per document in a person's (FİN) or a
-- company's (VÖEN) e-safe, and the content of the documents the e-safe
-- keeps itself (generated ones: decisions, receipts, certificates), by
-- SHA-256.  Uploads stay in the files store of cases (stored_in 'files').
CREATE TABLE esafe_docs (
    id TEXT PRIMARY KEY,                  -- 32 random hex digits
    owner_type TEXT NOT NULL,             -- person | company
    owner_id TEXT NOT NULL,               -- FİN or VÖEN
    kind TEXT NOT NULL,                   -- decision, result, certificate, receipt, upload
    title TEXT NOT NULL,
    title_folded TEXT NOT NULL,           -- pc_fold(title): what search matches
    source TEXT NOT NULL,                 -- the module that put it
    source_ref TEXT NOT NULL,             -- its reference there
    sha256 TEXT NOT NULL,
    stored_in TEXT NOT NULL,              -- esafe (esafe_contents) | files (the files store)
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retain_until INTEGER,                 -- NULL: until the owner deletes it
    UNIQUE (owner_type, owner_id, kind, source, source_ref)
);
CREATE INDEX esafe_docs_owner ON esafe_docs(owner_type, owner_id, created_at);
CREATE INDEX esafe_docs_retain ON esafe_docs(retain_until);

CREATE TABLE esafe_contents (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data TEXT NOT NULL                    -- base64url
);
