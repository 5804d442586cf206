-- Leases: which node of a deployment runs a background job now (the
-- notification sender, and later CRL publication, time-stamping, …).
-- A row per job, created on first use (db_lease_acquire).  Part of
-- version 3 with src/notify's part.

CREATE TABLE leases (
    name TEXT PRIMARY KEY,                -- what is leased, e.g. 'notify'
    holder TEXT NOT NULL,                 -- "host/pid/random", '' when free
    expires_at BIGINT NOT NULL            -- unix seconds; 0 when released
);
-- The notification sender's row, as before leases moved here (later jobs
-- get theirs on first use).
INSERT INTO leases(name, holder, expires_at) VALUES ('notify', '', 0);
