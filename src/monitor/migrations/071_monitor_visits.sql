-- Portal visits and users (src/monitor/visits.c, docs/architecture.md):
-- counts per day and per month only.  Who visited is never stored: a node
-- tells visitors and users apart within a day (and a month) by a salted
-- hash kept in memory, with a random salt that is never written anywhere
-- and is replaced when the day (month) changes.
--   visits     a visitor's pages with no pause longer than 30 minutes
--   users      signed-in accounts seen (distinct within the day / month)
--   new_users  of those, accounts created that day (month)
--   returning_users  the others
--   seconds    time between a visit's pages, summed (the average session
--              length is seconds / visits)
CREATE TABLE mon_visit_day (
    day TEXT PRIMARY KEY,                 -- YYYY-MM-DD (UTC)
    visits BIGINT NOT NULL,
    users BIGINT NOT NULL,
    new_users BIGINT NOT NULL,
    returning_users BIGINT NOT NULL,
    seconds BIGINT NOT NULL
);

CREATE TABLE mon_visit_month (
    month TEXT PRIMARY KEY,               -- YYYY-MM (UTC)
    visits BIGINT NOT NULL,
    users BIGINT NOT NULL,
    new_users BIGINT NOT NULL,
    returning_users BIGINT NOT NULL,
    seconds BIGINT NOT NULL
);
