-- Field inspections of households (src/inspect): the visit an officer
-- gives one of the agency's inspectors, every record the inspector's phone
-- synced for it (the first is the result; others are kept beside it), and
-- the photos, whose bytes are in the applications' file store by SHA-256.
CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE,         -- one visit per application; given again, it moves
    case_ref TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    inspector TEXT NOT NULL,              -- account id
    assigned_by TEXT NOT NULL,            -- account id
    assigned_at BIGINT NOT NULL,
    state TEXT NOT NULL,                  -- assigned | done
    result_client_id TEXT                 -- the record that is the visit's result
);
CREATE INDEX inspections_inspector ON inspections (inspector, state, assigned_at);

CREATE TABLE inspection_records (
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    client_id TEXT NOT NULL,              -- the phone's id of the record
    inspector TEXT NOT NULL,
    visited_at BIGINT NOT NULL,
    synced_at BIGINT NOT NULL,
    late INTEGER NOT NULL,                -- 1: arrived after the case was decided
    record TEXT NOT NULL,                 -- JSON: housing, condition, rooms, utilities, present, notes
    PRIMARY KEY (inspection_id, client_id)
);

CREATE TABLE inspection_photos (
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    sha256 TEXT NOT NULL,
    type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (inspection_id, sha256)
);
