-- Delivery of the outbox: when a message was delivered, which sender
-- claimed it (and when), and the lease that makes one node of a
-- deployment the sender at a time.  Times are unix seconds (BIGINT, past
-- 2038).  Portable SQL: the same script runs on SQLite and PostgreSQL.

ALTER TABLE outbox ADD COLUMN delivered_at BIGINT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;     -- lease holder while status = 'sending'
ALTER TABLE outbox ADD COLUMN claimed_at BIGINT;

CREATE TABLE leases (
    name TEXT PRIMARY KEY,                -- what is leased, e.g. 'notify'
    holder TEXT NOT NULL,                 -- "host/pid/random", '' when free
    expires_at BIGINT NOT NULL            -- unix seconds; 0 when released
);
INSERT INTO leases(name, holder, expires_at) VALUES ('notify', '', 0);
