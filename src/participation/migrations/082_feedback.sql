-- Ratings and comments per service, and complaints routed to agencies.

-- A rating (and maybe a comment) per person, service and source: an
-- application's reference, or '' from the service page.
CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    fin TEXT NOT NULL,
    source TEXT NOT NULL,
    rating INTEGER NOT NULL,              -- 1..5
    comment TEXT,
    lang TEXT NOT NULL,
    state TEXT NOT NULL,                  -- published | pending | hidden (the comment's)
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    moderated_by TEXT,
    moderated_at INTEGER
);
CREATE UNIQUE INDEX feedback_once ON feedback(fin, service_id, source);
CREATE INDEX feedback_service ON feedback(service_id, state, updated_at);
CREATE INDEX feedback_pending ON feedback(state, updated_at);
CREATE INDEX feedback_time ON feedback(updated_at);

CREATE TABLE complaints (
    reference TEXT PRIMARY KEY,           -- SK-YYYY-XXXXXXXX
    service_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    application_ref TEXT,
    account_id TEXT NOT NULL,
    fin TEXT NOT NULL,
    kind TEXT NOT NULL,                   -- delay | refusal | staff | information | technical | other
    text TEXT NOT NULL,
    lang TEXT NOT NULL,
    state TEXT NOT NULL,                  -- open | answered
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX complaints_agency ON complaints(agency_id, state, created_at);
CREATE INDEX complaints_mine ON complaints(account_id, created_at);
CREATE INDEX complaints_time ON complaints(created_at);
