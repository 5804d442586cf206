-- E-certificates ("arayış", src/ecert): one row per certificate issued,
-- with the sealed PDF as it was handed out (the agency's detached CAdES
-- signature inside it as an incremental update), the signature alone, and
-- the SHA-256 of the PDF that verification answers with.  Only the state
-- changes after issue: valid → revoked (owner or issuing agency) or
-- superseded (a newer one of the same kind for the same person).

CREATE TABLE ecert_certs (
    id TEXT PRIMARY KEY,                  -- "EC-" + 16 hex digits
    code TEXT NOT NULL UNIQUE,            -- verification code, XXXX-XXXX-XXXX-XXXX
    fin TEXT NOT NULL,                    -- whom it is about (and who may see it)
    account_id TEXT NOT NULL,             -- who ordered it
    kind TEXT NOT NULL,                   -- address, employment, income, taxpayer
    agency TEXT NOT NULL,                 -- the issuing agency (catalogue id)
    issuer TEXT NOT NULL,                 -- its name as its seal states it
    seal_serial TEXT NOT NULL,            -- the seal's certificate
    state TEXT NOT NULL,                  -- valid, revoked, superseded
    superseded_by TEXT,
    issued_at BIGINT NOT NULL,
    changed_at BIGINT NOT NULL DEFAULT 0, -- when revoked or superseded
    sha256 TEXT NOT NULL,                 -- of the PDF as handed out (hex)
    signature TEXT NOT NULL,              -- the detached CMS (DER), base64url
    pdf TEXT NOT NULL                     -- the sealed PDF, base64url
);
CREATE INDEX ecert_certs_person ON ecert_certs(fin, issued_at);
CREATE INDEX ecert_certs_sha256 ON ecert_certs(sha256);
