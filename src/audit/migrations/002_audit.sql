-- The hash-chained audit log and the personal-data access log ("who
-- looked at my data").  Part of version 2 with src/identity's part.

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,              -- 1, 2, 3, … without gaps
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                  -- account id or "system"
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE data_access_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    subject_fin TEXT NOT NULL,
    accessor TEXT NOT NULL,               -- account id or system name
    accessor_role TEXT NOT NULL,
    agency_id TEXT NOT NULL DEFAULT '',
    data_kind TEXT NOT NULL,              -- profile | contact | case | …
    ground TEXT NOT NULL                  -- legal ground or case reference
);
CREATE INDEX data_access_subject ON data_access_log(subject_fin, at);
