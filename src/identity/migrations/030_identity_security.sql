-- Identity security (issue 8): citizen and staff accounts in separate
-- namespaces, staff accounts confirmed by their owner, second-factor codes
-- used once, progressive login delays and challenges.

-- A citizen account's login is the person's FİN; a staff account's login
-- is never FİN-shaped, is bound to the staff member's own person record
-- and starts 'unconfirmed' when an administrator creates it (status
-- unconfirmed -> pending -> active).
ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'citizen';  -- citizen | staff
ALTER TABLE accounts ADD COLUMN created_by TEXT;                       -- account id; NULL: system or self-service
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;  -- last 30-second step used
UPDATE accounts SET kind = 'staff' WHERE fin IS NULL OR login <> fin;
CREATE UNIQUE INDEX accounts_citizen_fin ON accounts(fin) WHERE kind = 'citizen';

-- The time of the latest failure, for delays that grow with the count.
ALTER TABLE login_throttle ADD COLUMN last_at INTEGER NOT NULL DEFAULT 0;

-- A login to an account under attack waits: the client gets a challenge
-- bound to the login and its address, usable once after not_before.
CREATE TABLE login_challenges (
    hash TEXT PRIMARY KEY,                -- SHA-256 of the challenge token
    login TEXT NOT NULL,
    ip TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX login_challenges_expires ON login_challenges(expires_at);
