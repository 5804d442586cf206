-- Time-stamps of the audit chain's head (src/audit/stamp.c): at a set
-- interval the hash of the newest entry is time-stamped by the
-- certification centre's TSA (RFC 3161); a token proves that the log up to
-- that entry existed, unaltered, at the token's time.

CREATE TABLE audit_stamps (
    seq BIGINT PRIMARY KEY,               -- the entry that was the head
    hash TEXT NOT NULL,                   -- its hash (hex), the token's imprint
    stamped_at BIGINT NOT NULL,           -- the token's genTime, unix seconds
    token TEXT NOT NULL                   -- the DER TimeStampToken, base64url
);
