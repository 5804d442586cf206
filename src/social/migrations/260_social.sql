-- Targeted social assistance (src/social): the ministry's means-test
-- parameters by version, the state of each VEMTAS case's evidence (with
-- the officer's override of the proposal), and every registry answer
-- about the applicant and the declared family members.  Money is integer
-- qəpik; times are Unix seconds.

CREATE TABLE social_params (
    version INTEGER PRIMARY KEY,
    valid_from TEXT NOT NULL,             -- YYYY-MM-DD, included
    valid_to TEXT NOT NULL,               -- YYYY-MM-DD, included
    doc TEXT NOT NULL,                    -- the version as imported (sorted keys): never changed
    imported_at BIGINT NOT NULL
);

CREATE TABLE social_cases (
    reference TEXT PRIMARY KEY,           -- the application (cases) and the X-Road-Issue
    submitted_at BIGINT NOT NULL,
    state TEXT NOT NULL,                  -- pending, waiting, complete
    attempts INTEGER NOT NULL DEFAULT 0,  -- failed rounds since the last success
    generation INTEGER NOT NULL DEFAULT 0, -- raised by "fetch again": a round begun before it does not finish the case
    next_try_at BIGINT NOT NULL,
    waiting_for TEXT,                     -- the registry that was down
    last_error TEXT,
    updated_at BIGINT NOT NULL,
    override_eligible INTEGER,            -- the officer's override (NULL: the proposal stands)
    override_amount BIGINT,
    override_reason TEXT,
    override_by TEXT,
    override_at BIGINT
);
CREATE INDEX social_cases_due ON social_cases(state, next_try_at);
CREATE INDEX social_cases_submitted ON social_cases(submitted_at);

CREATE TABLE social_evidence (
    reference TEXT NOT NULL,
    person TEXT NOT NULL,                 -- FİN
    kind TEXT NOT NULL,                   -- population, employment, pensions, realestate
    source TEXT NOT NULL,                 -- the registry's service id
    fetched_at BIGINT NOT NULL,
    found INTEGER NOT NULL,               -- 0: the registry has no record of the person
    data TEXT NOT NULL,                   -- the registry's document
    PRIMARY KEY (reference, person, kind)
);

-- The decision's figures (kept in the workflow step's transaction), the
-- household asked about again while the assistance is paid (a death or new
-- employment suspends it), and the monthly payment schedule: one order per
-- month to the applicant's IBAN, exported for the bank and reconciled with
-- its answer.
CREATE TABLE social_grants (
    reference TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,                -- granted, refused
    amount BIGINT NOT NULL,               -- qəpik a month (0 when refused)
    months INTEGER NOT NULL,
    first_month TEXT,                     -- YYYY-MM of the first payment
    iban TEXT,
    fin TEXT,
    decided_at BIGINT NOT NULL,
    checked_at BIGINT,                    -- the registries last asked again about the household
    suspended_at BIGINT,                  -- a registry reported a change: payments stopped
    suspended_kind TEXT,                  -- death, employment
    suspended_fin TEXT,
    suspended_since TEXT                  -- the registry's date (YYYY-MM-DD)
);

CREATE TABLE social_payments (
    order_id TEXT PRIMARY KEY,            -- REFERENCE-YYYY-MM: the same order in every export
    reference TEXT NOT NULL,
    month TEXT NOT NULL,                  -- YYYY-MM
    amount BIGINT NOT NULL,
    iban TEXT NOT NULL,
    fin TEXT NOT NULL,
    status TEXT NOT NULL,                 -- scheduled, ordered, paid, rejected, suspended
    reason TEXT,                          -- the bank's, when rejected
    updated_at BIGINT NOT NULL
);
CREATE INDEX social_payments_month ON social_payments(month, status);
CREATE INDEX social_payments_case ON social_payments(reference, month);
