-- The mobile signature (src/mobile): SIMs bound to persons at the
-- registration desk, and the sessions relying parties open on them.
-- Times are unix seconds (BIGINT); binary values are standard base64.
-- Portable SQL for SQLite and PostgreSQL.

-- One row per phone number: the SIM in it now.  A new SIM for a number
-- replaces the row (its certificates are revoked, superseded).
CREATE TABLE mobile_clients (
    phone TEXT PRIMARY KEY,               -- E.164, "+994501234567"
    fin TEXT NOT NULL,
    name TEXT NOT NULL,
    auth_serial TEXT NOT NULL,            -- the certificate of the authentication key (pki)
    sign_serial TEXT NOT NULL,            -- the certificate of the signing key (pki)
    channel_key TEXT NOT NULL,            -- DER SubjectPublicKeyInfo of the SIM's channel key
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX mobile_clients_fin ON mobile_clients(fin);

-- One request to a phone.  A session is running until the phone answers,
-- its time runs out (TIMEOUT or PHONE_ABSENT, written when next asked) or
-- it is refused at once (NOT_MID_CLIENT); it is forgotten at expires_at.
CREATE TABLE mobile_sessions (
    id TEXT PRIMARY KEY,                  -- 32 hex digits, random
    kind TEXT NOT NULL,                   -- authentication | signature | qr
    client TEXT NOT NULL,                 -- the relying party (its RA client id)
    rp_name TEXT NOT NULL,
    phone TEXT,                           -- NULL: a QR code nobody has scanned yet
    fin TEXT,
    hash_type TEXT NOT NULL,
    hash TEXT NOT NULL,
    lang TEXT NOT NULL,
    display_text TEXT,
    client_ip TEXT,
    qr_hash TEXT,                         -- SHA-256 hex of a QR session's one-time code
    state TEXT NOT NULL,                  -- running | complete
    result TEXT,                          -- OK, TIMEOUT, … when complete
    delivered_at BIGINT,                  -- when the phone fetched it
    signature TEXT,
    cert_serial TEXT,
    created_at BIGINT NOT NULL,
    answer_by BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX mobile_sessions_phone ON mobile_sessions(phone, state);
CREATE UNIQUE INDEX mobile_sessions_qr ON mobile_sessions(qr_hash);
CREATE INDEX mobile_sessions_expires ON mobile_sessions(expires_at);
