-- Delivery of the outbox: when a message was delivered, which sender
-- claimed it (and when).  Times are unix seconds (BIGINT, past 2038).
-- Portable SQL: the same script runs on SQLite and PostgreSQL.

ALTER TABLE outbox ADD COLUMN delivered_at BIGINT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;     -- lease holder while status = 'sending'
ALTER TABLE outbox ADD COLUMN claimed_at BIGINT;
