-- The exchange layer (src/exchange).  The central registry's tables:
-- members, their subsystems, gateways (security servers) with their
-- authentication certificates and the clients they serve, services,
-- global groups, access rights, the trusted certification centre and the
-- published global configurations.  A gateway's tables: the message log
-- (a hash chain), its time-stamps and the certificates its records name.
-- Each role has its own database; every database has every table.
-- Identifiers are stored whole ("AZ/GOV/1400000001/population").  Times
-- are unix seconds unless a column says ms.

CREATE TABLE xr_members (
    id TEXT PRIMARY KEY,                  -- INSTANCE/CLASS/CODE
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE xr_subsystems (
    id TEXT PRIMARY KEY,                  -- INSTANCE/CLASS/CODE/SUBSYSTEM
    member TEXT NOT NULL REFERENCES xr_members(id),
    created_at BIGINT NOT NULL
);

CREATE TABLE xr_gateways (
    id TEXT PRIMARY KEY,                  -- INSTANCE/CLASS/CODE/SERVERCODE
    owner TEXT NOT NULL REFERENCES xr_members(id),
    address TEXT NOT NULL,                -- where other gateways send messages
    auth_cert TEXT NOT NULL,              -- PEM
    updated_at BIGINT NOT NULL
);

CREATE TABLE xr_gateway_clients (
    gateway TEXT NOT NULL REFERENCES xr_gateways(id),
    client TEXT NOT NULL REFERENCES xr_subsystems(id),
    PRIMARY KEY (gateway, client)
);

CREATE TABLE xr_services (
    id TEXT PRIMARY KEY,                  -- INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE
    provider TEXT NOT NULL REFERENCES xr_subsystems(id),
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,                   -- query | document
    max_request BIGINT NOT NULL,
    max_response BIGINT NOT NULL,
    timeout_ms INTEGER NOT NULL,
    openapi TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE xr_groups (
    id TEXT PRIMARY KEY,                  -- INSTANCE/GROUPCODE
    description TEXT NOT NULL
);

CREATE TABLE xr_group_members (
    grp TEXT NOT NULL REFERENCES xr_groups(id),
    client TEXT NOT NULL,                 -- a member or a subsystem
    PRIMARY KEY (grp, client)
);

CREATE TABLE xr_access (
    service TEXT NOT NULL REFERENCES xr_services(id),
    subject TEXT NOT NULL,                -- a client, a member, or a group
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (service, subject)
);

-- The trusted certification centre and the central's own settings.
CREATE TABLE xr_settings (
    name TEXT PRIMARY KEY,                -- ca_chain, ocsp_url, tsa_url, ca_name
    value TEXT NOT NULL
);

-- Every global configuration published: version, when, until when, the
-- signed directory and the files it lists (JSON text).
CREATE TABLE xr_gconf (
    version BIGINT PRIMARY KEY,
    generated BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    registry_epoch BIGINT NOT NULL,       -- the registry's change counter it reflects
    directory TEXT NOT NULL,
    signature TEXT NOT NULL,
    files TEXT NOT NULL                   -- JSON object: sha256 -> content
);

CREATE TABLE xr_epoch (
    id INTEGER PRIMARY KEY,               -- always 1
    epoch BIGINT NOT NULL                 -- raised by every change of the registry
);
INSERT INTO xr_epoch (id, epoch) VALUES (1, 1);

-- A gateway's message log: every request and response it sent or
-- received, signed, in one hash chain (chain = SHA-256(prev || digest of
-- the record's fields)).
CREATE TABLE xr_msglog (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    side TEXT NOT NULL,                   -- consumer | provider
    kind TEXT NOT NULL,                   -- request | response
    protocol TEXT NOT NULL,               -- r1 | soap
    client TEXT NOT NULL,
    service TEXT NOT NULL,
    user_id TEXT NOT NULL,
    issue TEXT NOT NULL,
    fault TEXT NOT NULL,                  -- '' or the fault type of a refusal or failure
    block TEXT NOT NULL,                  -- the canonical block the signature covers
    body_hash TEXT NOT NULL,              -- base64 SHA-512 of the body
    body TEXT,                            -- base64 body, NULL when bodies are not kept
    hash TEXT NOT NULL,                   -- the message hash (base64)
    signature TEXT NOT NULL,              -- base64, '' when unsigned
    cert TEXT NOT NULL,                   -- SHA-256 of the signer's certificate (xr_certs), or ''
    ocsp TEXT NOT NULL,                   -- base64 OCSP answer sent with it, or ''
    prev TEXT NOT NULL,
    chain TEXT NOT NULL
);
CREATE INDEX xr_msglog_message ON xr_msglog(message_id);

CREATE TABLE xr_msglog_stamps (
    seq BIGINT PRIMARY KEY,               -- the last record covered
    chain TEXT NOT NULL,                  -- the chain value time-stamped
    at BIGINT NOT NULL,
    token TEXT NOT NULL                   -- base64 RFC 3161 TimeStampToken
);

-- Where the chain in the database starts after archiving: the seq and
-- chain value of the last record moved to an archive file.
CREATE TABLE xr_msglog_base (
    id INTEGER PRIMARY KEY,               -- always 1
    seq BIGINT NOT NULL,
    chain TEXT NOT NULL,
    archive TEXT NOT NULL                 -- the last archive file's name
);

CREATE TABLE xr_certs (
    fp TEXT PRIMARY KEY,                  -- SHA-256 hex of the DER
    pem TEXT NOT NULL
);
