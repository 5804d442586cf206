-- Kiosks at post offices (issue 17): a device the operator registered,
-- with its post office and district; the device keeps a token in a
-- cookie (only its SHA-256 is stored).  A session logged in at a kiosk
-- is bound to it: it ends after the kiosk's short idle time, and the
-- applications it submits carry the kiosk's channel and district.
CREATE TABLE kiosks (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the device's token
    post_office TEXT NOT NULL,
    district TEXT NOT NULL,
    idle_secs INTEGER NOT NULL,           -- a session ends after this long without a request
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

ALTER TABLE sessions ADD COLUMN kiosk_id TEXT;    -- kiosks.id when logged in at a kiosk
