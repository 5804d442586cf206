-- The e-safe's own folders, shares with third parties and their openings,
-- and the count of wrong share codes per network (src/esafe).
-- A document past its retention keeps its row with removed_at set (its
-- content goes), so that gathering from cases and pay never puts it back.
ALTER TABLE esafe_docs ADD COLUMN removed_at BIGINT;
ALTER TABLE esafe_docs ADD COLUMN folder_id TEXT;

CREATE TABLE esafe_folders (
    id TEXT PRIMARY KEY,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (owner_type, owner_id, name)
);

CREATE TABLE esafe_shares (
    id TEXT PRIMARY KEY,
    code_sha256 TEXT NOT NULL UNIQUE,     -- the code itself is never kept
    doc_id TEXT NOT NULL REFERENCES esafe_docs(id),
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    max_opens INTEGER NOT NULL CHECK (max_opens > 0),
    opens INTEGER NOT NULL DEFAULT 0 CHECK (opens >= 0 AND opens <= max_opens),
    revoked_at BIGINT
);
CREATE INDEX esafe_shares_owner ON esafe_shares(owner_type, owner_id, created_at);

CREATE TABLE esafe_openings (
    id TEXT PRIMARY KEY,
    share_id TEXT NOT NULL REFERENCES esafe_shares(id),
    doc_id TEXT NOT NULL,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    organisation TEXT NOT NULL,           -- as the opener named it
    network TEXT NOT NULL,                -- the address shortened: 203.0.113.x, 2001:db8:1::/48
    at BIGINT NOT NULL
);
CREATE INDEX esafe_openings_owner ON esafe_openings(owner_type, owner_id, at);

CREATE TABLE esafe_attempts (
    network TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures INTEGER NOT NULL
);
