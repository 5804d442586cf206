-- Electronic applications: form definitions (versioned), applications with
-- their answers and workflow state, the append-only history of every case,
-- uploaded files (content-addressed), reference numbers, usage counters.

CREATE TABLE forms (
    service_id TEXT NOT NULL REFERENCES services(id),
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,             -- JSON, docs/forms.md
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (service_id, version)
);

CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,                  -- random, used in draft URLs
    reference TEXT UNIQUE,                -- AZ-2026-00012345 once submitted
    service_id TEXT NOT NULL REFERENCES services(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    form_version INTEGER NOT NULL,
    applicant TEXT NOT NULL REFERENCES accounts(id),
    applicant_fin TEXT,
    acting_for TEXT,                      -- VÖEN when filed for an entity
    status TEXT NOT NULL,
    answers TEXT NOT NULL,                -- JSON object
    version INTEGER NOT NULL,             -- optimistic lock, +1 on every change
    assigned_to TEXT REFERENCES accounts(id),
    idempotency_key TEXT,
    lang TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    due_at INTEGER,                       -- the legal deadline of the whole case
    state_due_at INTEGER,                 -- the deadline of the current step
    decided_at INTEGER,
    decision TEXT                         -- reasoned decision text
);
CREATE UNIQUE INDEX applications_idempotency ON applications(applicant, idempotency_key);
CREATE INDEX applications_inbox ON applications(agency_id, submitted_at, id);
CREATE INDEX applications_inbox_status ON applications(agency_id, status, submitted_at, id);
CREATE INDEX applications_due ON applications(agency_id, due_at);
CREATE INDEX applications_assigned ON applications(assigned_to, status);
CREATE INDEX applications_mine ON applications(applicant, created_at, id);

CREATE TABLE application_events (
    application_id TEXT NOT NULL REFERENCES applications(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT,                            -- message to the citizen, reason, …
    PRIMARY KEY (application_id, seq)
);

CREATE TABLE usage_daily (
    day TEXT NOT NULL,                    -- YYYY-MM-DD (UTC)
    service_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    kind TEXT NOT NULL,                   -- view | start | submit | decide
    count INTEGER NOT NULL,
    PRIMARY KEY (day, service_id, kind)
);

-- Files uploaded for applications: stored once by content (SHA-256) outside
-- the web root; a row per uploader, so an application can only refer to
-- files its own applicant uploaded.
CREATE TABLE uploads (
    sha256 TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (sha256, account_id)
);
