-- Evaluation campaigns made in the portal (src/monitor/campaign.c,
-- docs/monitoring.md "Campaigns in the portal").  An evaluator creates a
-- campaign, picks services and each one's model, answers every question
-- with its evidence; a second evaluator reviews it; once agreed it is
-- closed and its results are computed by the one engine (method.c).
--   state  open (being answered) | submitted (waiting for review) | closed
CREATE TABLE mon_campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    period_from TEXT NOT NULL,            -- YYYY-MM-DD
    period_to TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,             -- account id of the evaluator
    created_at BIGINT NOT NULL,
    submitted_by TEXT,
    reviewed_by TEXT,
    review_comment TEXT,                  -- why it was sent back (the last time)
    closed_at BIGINT
);

CREATE TABLE mon_campaign_services (
    campaign_id TEXT NOT NULL REFERENCES mon_campaigns(id),
    service_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,              -- as the catalogue had it when picked
    model INTEGER NOT NULL,               -- 3, 4 or 5 levels
    paid INTEGER NOT NULL,                -- transparency on the 10-point scale
    position INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, service_id)
);

-- One answer: subject '' is the infrastructure, else a service id.
CREATE TABLE mon_campaign_answers (
    campaign_id TEXT NOT NULL REFERENCES mon_campaigns(id),
    subject TEXT NOT NULL,
    criterion TEXT NOT NULL,              -- infrastructure | development | participation | transparency
    question TEXT NOT NULL,               -- "1.1" … "7.2", "1" … "15"
    answer TEXT NOT NULL,                 -- as mon_answer_text writes it: 1, 0, na, 63%; '' unanswered
    note TEXT NOT NULL,
    link TEXT NOT NULL,
    file_sha256 TEXT,                     -- a file of evidence, stored by cases (case_upload_keep)
    file_name TEXT,
    file_mime TEXT,
    file_size BIGINT,
    answered_by TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, subject, criterion, question)
);
