-- Uploaded files kept in the database (--files-store db), for nodes that
-- share no folder: one row per file, by its SHA-256 as in the files
-- folder, and its content in chunks of 256 KiB (base64 text, the type
-- both backends take alike), so that no file is ever whole in memory.
-- Written in one transaction when a handler keeps an upload; never
-- changed afterwards.
CREATE TABLE stored_files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE stored_file_chunks (
    sha256 TEXT NOT NULL REFERENCES stored_files(sha256),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (sha256, seq)
);
