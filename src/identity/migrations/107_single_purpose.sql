-- Free single-purpose certificates (issue 10): a citizen, logged in with
-- the code-password, asks for the one of a service that offers it; the
-- request waits until a registrar, having checked the ID card, issues it.

CREATE TABLE single_cert_requests (
    id TEXT PRIMARY KEY,                  -- random hex
    fin TEXT NOT NULL,                    -- the person it is for
    service_id TEXT NOT NULL,             -- the one e-service it will be valid for
    account_id TEXT NOT NULL,             -- who asked (the person's citizen account)
    status TEXT NOT NULL,                 -- waiting | issued
    created_at INTEGER NOT NULL,
    serial TEXT,                          -- the certificate issued (hex)
    issued_by TEXT,                       -- the registrar's account
    issued_at INTEGER
);
-- one waiting request per person and service, even when two asks race
CREATE UNIQUE INDEX single_cert_requests_waiting ON single_cert_requests(fin, service_id) WHERE status = 'waiting';
