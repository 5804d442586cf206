-- The certification centre (src/pki): certificates with their status and
-- its history, the requests that made them, pre-signed OCSP responses,
-- published CRLs, and named counters (the status epoch every node watches,
-- time-stamp serials).  Times are unix seconds (BIGINT).  DER values are
-- standard base64 text.  Portable SQL for SQLite and PostgreSQL.

CREATE TABLE pki_certs (
    serial TEXT PRIMARY KEY,              -- upper-case hex, 20 random bytes
    issuer TEXT NOT NULL,                 -- hex SHA-1 of the issuing CA's key
    profile TEXT NOT NULL,
    category TEXT NOT NULL,               -- citizen | legal | state | service
    subject TEXT NOT NULL,                -- RFC 2253
    holder_fin TEXT,
    holder_voen TEXT,
    status TEXT NOT NULL,                 -- good | suspended | revoked
    reason INTEGER,                       -- RFC 5280 CRLReason when not good
    revoked_at BIGINT,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    renewed_from TEXT,
    created_at BIGINT NOT NULL,
    der TEXT NOT NULL
);
CREATE INDEX pki_certs_fin ON pki_certs(holder_fin, created_at);
CREATE INDEX pki_certs_voen ON pki_certs(holder_voen, created_at);
CREATE INDEX pki_certs_status ON pki_certs(issuer, status);

-- Every status a certificate had, from issuance on: the status at the
-- time a document was signed comes from here.
CREATE TABLE pki_cert_events (
    serial TEXT NOT NULL REFERENCES pki_certs(serial),
    n INTEGER NOT NULL,                   -- 1, 2, … per certificate
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    reason INTEGER,
    actor TEXT NOT NULL,
    PRIMARY KEY (serial, n)
);

CREATE TABLE pki_requests (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,                   -- csr | p12 | renew
    profile TEXT NOT NULL,
    holder_fin TEXT,
    holder_voen TEXT,
    channel TEXT NOT NULL,                -- online | desk | api | cli
    actor TEXT NOT NULL,
    status TEXT NOT NULL,                 -- issued | rejected
    serial TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX pki_requests_fin ON pki_requests(holder_fin, at);

CREATE TABLE pki_ocsp (
    serial TEXT PRIMARY KEY REFERENCES pki_certs(serial),
    produced_at BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    der TEXT NOT NULL                     -- the whole OCSPResponse
);
CREATE INDEX pki_ocsp_due ON pki_ocsp(next_update);

CREATE TABLE pki_crls (
    issuer TEXT NOT NULL,
    number BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    epoch BIGINT NOT NULL,                -- the status epoch it reflects
    der TEXT NOT NULL,
    PRIMARY KEY (issuer, number)
);

CREATE TABLE pki_counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
