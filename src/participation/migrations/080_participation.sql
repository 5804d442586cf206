-- E-participation: polls (identified voters, secret ballots: see
-- docs/participation.md).  Times are unix seconds.  The ballots are in
-- 081 (a variant per backend).

CREATE TABLE polls (
    id TEXT PRIMARY KEY,                  -- 16 random hex digits
    agency_id TEXT,                       -- NULL: the portal's own poll
    question_az TEXT NOT NULL,
    question_en TEXT NOT NULL,
    question_ru TEXT NOT NULL,
    opens_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    secret INTEGER NOT NULL,              -- 1: results only once the poll is counted
    changeable INTEGER NOT NULL,          -- 1: a vote may be changed until closing
    min_age INTEGER NOT NULL,             -- 0: no bound
    max_age INTEGER NOT NULL,
    district TEXT,                        -- NULL: anywhere
    ballot_key TEXT,                      -- changeable polls: the key of ballot ids; erased at the count
    counted INTEGER NOT NULL DEFAULT 0,   -- the count is made: no vote after it
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX polls_due ON polls(counted, closes_at);
CREATE INDEX polls_recent ON polls(closes_at);

CREATE TABLE poll_options (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    id TEXT NOT NULL,                     -- "1", "2", … in the order shown
    position INTEGER NOT NULL,
    label_az TEXT NOT NULL,
    label_en TEXT NOT NULL,
    label_ru TEXT NOT NULL,
    PRIMARY KEY (poll_id, id)
);

-- Who voted (never how): one row per person and poll.
CREATE TABLE poll_voters (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    fin TEXT NOT NULL,
    voted_at INTEGER NOT NULL,
    changes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (poll_id, fin)
);

-- The count, signed and time-stamped once published.
CREATE TABLE poll_tallies (
    poll_id TEXT PRIMARY KEY REFERENCES polls(id),
    document TEXT NOT NULL,               -- canonical JSON: what is signed
    sha256 TEXT NOT NULL,
    signature TEXT,                       -- base64 of the DER CMS (CAdES-T); NULL: not signed (yet)
    signed_at INTEGER,                    -- the time-stamp's time
    attempts INTEGER NOT NULL DEFAULT 0,
    counted_at INTEGER NOT NULL,
    published_at INTEGER                  -- NULL: waiting for its signature
);
