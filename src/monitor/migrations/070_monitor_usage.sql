-- Usage statistics (src/monitor, docs/monitoring.md): counts per day, per
-- service and per metric, and the same per month so that a year answers
-- from at most 12 rows a service.  Aggregates only: no person, account,
-- session or address is ever stored here.  service_id and agency_id are ''
-- for portal-wide counts (searches).
CREATE TABLE mon_usage_day (
    day TEXT NOT NULL,                    -- YYYY-MM-DD (UTC)
    service_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    metric TEXT NOT NULL,                 -- view | start | search
    count BIGINT NOT NULL,
    PRIMARY KEY (day, service_id, metric)
);

CREATE TABLE mon_usage_month (
    month TEXT NOT NULL,                  -- YYYY-MM (UTC)
    service_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (month, service_id, metric)
);
