-- Payments of fees (src/pay): one row per attempt to pay an application's
-- fee, every callback received from the provider (its event id makes a
-- replay a no-op), refunds, and the nightly reconciliation's findings.
-- Money is integer qəpik (1/100 AZN) everywhere.

CREATE TABLE pay_payments (
    id TEXT PRIMARY KEY,                  -- our reference, "PAY-" + random, sent to the provider
    application_id TEXT NOT NULL,         -- the application (cases) whose fee this is
    service_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    account_id TEXT NOT NULL,             -- who pays (the applicant)
    amount_qepik INTEGER NOT NULL CHECK (amount_qepik > 0),
    status TEXT NOT NULL,                 -- created, started, submitted, success, failed, cancelled, error, expired
    provider TEXT NOT NULL,
    provider_id TEXT UNIQUE,              -- the provider's id, once it answered
    next_url TEXT,                        -- where the payer goes to pay
    refunded_qepik INTEGER NOT NULL DEFAULT 0 CHECK (refunded_qepik >= 0 AND refunded_qepik <= amount_qepik),
    late INTEGER NOT NULL DEFAULT 0,      -- 1: succeeded after it had been given up (expired, cancelled)
    problem TEXT,                         -- why it is in error (an amount that did not match, …)
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    paid_at INTEGER
);
CREATE INDEX pay_payments_app ON pay_payments(application_id, created_at);
CREATE INDEX pay_payments_paid ON pay_payments(paid_at);

CREATE TABLE pay_events (
    event_id TEXT PRIMARY KEY,            -- the provider's: a second delivery is a no-op
    payment_id TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_qepik INTEGER NOT NULL,
    outcome TEXT NOT NULL,                -- applied, stale, late_success, amount_mismatch
    received_at INTEGER NOT NULL
);
CREATE INDEX pay_events_payment ON pay_events(payment_id, received_at);

CREATE TABLE pay_refunds (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL,
    amount_qepik INTEGER NOT NULL CHECK (amount_qepik > 0),
    status TEXT NOT NULL,                 -- pending, done, failed
    by_account TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX pay_refunds_payment ON pay_refunds(payment_id, created_at);

CREATE TABLE pay_recon_runs (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,                    -- YYYY-MM-DD (UTC) the settlement file covers
    ran_at INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    mismatches INTEGER NOT NULL
);
CREATE INDEX pay_recon_runs_day ON pay_recon_runs(ran_at);

CREATE TABLE pay_recon_items (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,                   -- missing, extra, amount, status
    payment_id TEXT NOT NULL,
    ours_qepik INTEGER,
    theirs_qepik INTEGER,
    ours_status TEXT,
    theirs_status TEXT,
    PRIMARY KEY (run_id, seq)
);
