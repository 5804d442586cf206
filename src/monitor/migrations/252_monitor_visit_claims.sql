-- Users told apart across nodes (src/monitor/visits.c): the salt of the
-- current day and month, shared by the nodes, and the first sighting of
-- each user in them, claimed by one INSERT that only one node wins.  Only
-- salted hashes are kept, and only for the current and the previous
-- period: older salts and sightings are deleted as the periods change, so
-- a past day's hashes cannot be matched with anything.
CREATE TABLE mon_visit_salts (
    period TEXT PRIMARY KEY,              -- YYYY-MM-DD (a day) or YYYY-MM (a month)
    salt TEXT NOT NULL                    -- 32 random bytes, hex
);

CREATE TABLE mon_visit_seen (
    period TEXT NOT NULL,
    hash TEXT NOT NULL,                   -- 64 bits of SHA-256(salt, account), hex
    PRIMARY KEY (period, hash)
);
