-- Login levels and certificate login (issue 10): a session records how it
-- was logged in (the method, hence the level), with which certificate,
-- and for a single-purpose certificate the one service it counts for;
-- certificate logins answer a challenge that is used once.

ALTER TABLE sessions ADD COLUMN login_method TEXT NOT NULL DEFAULT 'password';  -- password | certificate | …
ALTER TABLE sessions ADD COLUMN cert_serial TEXT;        -- the certificate of a certificate login (hex)
ALTER TABLE sessions ADD COLUMN only_service TEXT;       -- a single-purpose certificate's e-service

CREATE TABLE cert_challenges (
    hash TEXT PRIMARY KEY,                -- SHA-256 of the challenge
    ip TEXT NOT NULL,                     -- the address it was given to
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER                       -- answered (once)
);
CREATE INDEX cert_challenges_ip ON cert_challenges(ip, expires_at);
CREATE INDEX cert_challenges_expires ON cert_challenges(expires_at);
