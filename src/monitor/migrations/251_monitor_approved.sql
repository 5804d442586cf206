-- The registry of approved e-services as the operator keeps it
-- (src/monitor/approved.c, docs/monitoring.md "The registry kept in the
-- portal").  data/evaluations/approved-services.jsonl stays the seed: the
-- bulletins' published tables; these rows add the tables that follow.
CREATE TABLE mon_decisions (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,                 -- as the Cabinet writes it: "191"
    decided_on TEXT NOT NULL,             -- YYYY-MM-DD
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One e-service of a body: on a decision's approved list (decision_id),
-- or recorded without one (on the portal or its own site all the same);
-- since when it is on the portal and on the body's own site (NULL: not).
CREATE TABLE mon_reg_entries (
    id TEXT PRIMARY KEY,
    decision_id TEXT REFERENCES mon_decisions(id),
    agency_id TEXT NOT NULL,
    name TEXT NOT NULL,
    service_id TEXT,                      -- the catalogue's, when it has one
    on_portal_since TEXT,
    on_own_site_since TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX mon_reg_entries_decision ON mon_reg_entries(decision_id);
