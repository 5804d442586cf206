-- Channels into one case flow (issue 17): how each application arrived
-- (web, api, kiosk, paper), where (the kiosk's or the paper's district)
-- and who registered a paper one; counts per month, district and channel
-- kept as they happen for the monitoring pages.
ALTER TABLE applications ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
ALTER TABLE applications ADD COLUMN district TEXT;
ALTER TABLE applications ADD COLUMN kiosk_id TEXT;
ALTER TABLE applications ADD COLUMN registered_by TEXT;   -- the officer or operator of a paper application
ALTER TABLE applications ADD COLUMN paper_scan TEXT;      -- SHA-256 of the scanned paper

CREATE TABLE channel_monthly (
    month TEXT NOT NULL,                  -- YYYY-MM (UTC)
    district TEXT NOT NULL,               -- '' when none is known (web, api)
    channel TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (month, district, channel)
);
