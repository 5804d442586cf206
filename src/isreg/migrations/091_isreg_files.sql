-- Documents attached to a registration card (the body's application, the
-- order that created the system, …): the files themselves are stored by
-- cases (by SHA-256); the register keeps which card refers to which.
CREATE TABLE isreg_files (
    system_id TEXT NOT NULL REFERENCES isreg_systems(id),
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (system_id, version, sha256)
);
