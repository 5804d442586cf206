-- The ballots: an option and a random id (the voter's receipt), never the
-- voter.  WITHOUT ROWID: rows are stored in the order of their random ids,
-- not in the order votes came in, so the row order of poll_voters does not
-- tell whose ballot is whose.
CREATE TABLE poll_ballots (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    ballot TEXT NOT NULL,
    option_id TEXT NOT NULL,
    PRIMARY KEY (poll_id, ballot)
) WITHOUT ROWID;
CREATE INDEX poll_ballots_option ON poll_ballots(poll_id, option_id);
