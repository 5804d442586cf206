-- The e-service catalogue: agencies, services, what each service needs,
-- and the life situations that group services for citizens.
-- Folded columns hold the search form of the names (see pc_fold).

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name_az TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    short_az TEXT,
    short_en TEXT,
    short_ru TEXT,
    kind TEXT NOT NULL,
    website TEXT,
    approved_services INTEGER,
    source TEXT,
    name_folded TEXT NOT NULL
);

CREATE TABLE life_events (
    id TEXT PRIMARY KEY,
    name_az TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    name_az TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    desc_az TEXT NOT NULL,
    desc_en TEXT NOT NULL,
    desc_ru TEXT NOT NULL,
    for_citizens INTEGER NOT NULL,
    for_entrepreneurs INTEGER NOT NULL,
    for_officials INTEGER NOT NULL,
    relations TEXT NOT NULL,       -- ",G2C,G2B," (commas on both ends for LIKE)
    login TEXT NOT NULL,           -- none | code_password | e_signature
    fee_qepik INTEGER,             -- fee in qəpik (1/100 AZN) when stated
    free INTEGER NOT NULL,
    deadline_days INTEGER,
    channels TEXT NOT NULL,        -- ",portal,agency_site,"
    approved_list TEXT,
    maturity_json TEXT,            -- evaluation result as published, or NULL
    source TEXT,
    active INTEGER NOT NULL DEFAULT 1, -- 0: withdrawn (kept for references)
    name_folded TEXT NOT NULL,
    desc_folded TEXT NOT NULL
);
CREATE INDEX services_agency ON services(agency_id);
CREATE INDEX services_login ON services(login);

CREATE TABLE service_documents (
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name_az TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    PRIMARY KEY (service_id, position)
);

CREATE TABLE service_life_events (
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    life_event_id TEXT NOT NULL REFERENCES life_events(id),
    PRIMARY KEY (service_id, life_event_id)
);
CREATE INDEX service_life_events_event ON service_life_events(life_event_id);
