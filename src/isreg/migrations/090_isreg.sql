-- The state register of information resources and systems (src/isreg).
-- A system is one row; each description of it is a numbered card version,
-- kept for ever; every decision on a card is a row of its own.
CREATE TABLE isreg_systems (
    id TEXT PRIMARY KEY,                 -- short stable name: "avis", "iamas"
    agency_id TEXT NOT NULL,             -- the owning state body (catalogue id)
    status TEXT NOT NULL,                -- draft | submitted | returned | registered | deregistered
    current_version INTEGER NOT NULL,    -- the newest card
    registered_version INTEGER,          -- the card the public sees (NULL: never registered)
    registered_at BIGINT,                -- first registration
    deregistered_on TEXT,                -- YYYY-MM-DD the system stopped
    deregister_reason TEXT,
    search_folded TEXT NOT NULL DEFAULT '', -- folded names of the public card
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX isreg_systems_agency ON isreg_systems (agency_id, id);
CREATE INDEX isreg_systems_status ON isreg_systems (status, id);

CREATE TABLE isreg_cards (
    system_id TEXT NOT NULL REFERENCES isreg_systems(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL,                -- draft | submitted | returned | registered | superseded
    kind TEXT NOT NULL,                  -- resource | personal_data
    name_az TEXT NOT NULL, name_en TEXT NOT NULL, name_ru TEXT NOT NULL,
    purpose TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    data_categories INTEGER NOT NULL,    -- bit set of enum isreg_category
    uses_fin INTEGER NOT NULL,
    sources TEXT NOT NULL,               -- where its data comes from (free text)
    recipients TEXT NOT NULL,            -- who receives its data (free text)
    services_offered TEXT NOT NULL,      -- exchange-layer service ids, one per line
    services_used TEXT NOT NULL,
    portal_services TEXT NOT NULL,       -- catalogue service ids, one per line
    hosting TEXT NOT NULL,               -- confidential
    security TEXT NOT NULL,              -- confidential
    responsible TEXT NOT NULL,           -- confidential: name and contact
    started_on TEXT NOT NULL,            -- YYYY-MM-DD in operation since
    change_on TEXT NOT NULL,             -- YYYY-MM-DD of the creation or change this card declares
    change_note TEXT NOT NULL,
    due_on TEXT NOT NULL,                -- change_on + 20 days
    late_days INTEGER,                   -- days past due_on when submitted (NULL: not yet)
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    submitted_at BIGINT,
    decided_at BIGINT,
    PRIMARY KEY (system_id, version)
);
CREATE INDEX isreg_cards_open ON isreg_cards (status, due_on);

CREATE TABLE isreg_decisions (
    system_id TEXT NOT NULL REFERENCES isreg_systems(id),
    seq INTEGER NOT NULL,                -- 1, 2, … per system
    version INTEGER NOT NULL,
    decision TEXT NOT NULL,              -- submitted | registered | returned | deregistered
    remarks TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (system_id, seq)
);

-- Systems known to exist (from the exchange layer, the catalogue or an
-- inspection) that have no card yet.
CREATE TABLE isreg_known (
    id TEXT PRIMARY KEY,                 -- random
    agency_id TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,                -- exchange | catalogue | inspection
    noted_on TEXT NOT NULL,
    note TEXT NOT NULL,
    system_id TEXT,                      -- set when it was registered
    actor TEXT NOT NULL
);
CREATE INDEX isreg_known_agency ON isreg_known (agency_id);

-- The operator's findings, with a date by which the body must answer.
CREATE TABLE isreg_findings (
    id TEXT PRIMARY KEY,                 -- random
    system_id TEXT NOT NULL REFERENCES isreg_systems(id),
    text TEXT NOT NULL,
    follow_up_on TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_note TEXT
);
CREATE INDEX isreg_findings_system ON isreg_findings (system_id, opened_at);

-- One reminder per card version and kind (before | overdue), so a job
-- run on any node never sends the same reminder twice.
CREATE TABLE isreg_reminders (
    system_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (system_id, version, kind)
);

-- Counts published before the register was kept here (the documents'
-- tables: 35 of 80 systems registered in 2013, 79 of 158 in 2015).
CREATE TABLE isreg_census (
    year INTEGER PRIMARY KEY,
    known INTEGER NOT NULL,
    registered INTEGER NOT NULL,
    source TEXT NOT NULL
);
