-- The ballots: an option and a random id (the voter's receipt), never the
-- voter.  (PostgreSQL keeps a table's rows in the order they came in; see
-- docs/participation.md for what that means for whoever holds the disk.)
CREATE TABLE poll_ballots (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    ballot TEXT NOT NULL,
    option_id TEXT NOT NULL,
    PRIMARY KEY (poll_id, ballot)
);
CREATE INDEX poll_ballots_option ON poll_ballots(poll_id, option_id);
