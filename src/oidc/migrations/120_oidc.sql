-- OpenID Connect provider (issue 10, item 6): agencies' own sites sign
-- people in through the portal.  Owned by src/oidc.

-- The sites the portal operator has registered.  A confidential client
-- has a secret (only its SHA-256 is kept: 256 random bits need no slow
-- hash); a public one proves itself by PKCE alone.
CREATE TABLE oidc_clients (
    id TEXT PRIMARY KEY,                  -- client_id
    name_az TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    agency_id TEXT NOT NULL,              -- whose site: the sector of pairwise subjects
    confidential INTEGER NOT NULL,
    secret_hash TEXT,
    subject_type TEXT NOT NULL,           -- public (the FİN) | pairwise (per agency)
    backchannel_logout_uri TEXT,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    disabled_at INTEGER
);

-- Redirect and post-logout URIs, compared exactly.
CREATE TABLE oidc_client_uris (
    client_id TEXT NOT NULL REFERENCES oidc_clients(id),
    kind TEXT NOT NULL,                   -- redirect | post_logout
    uri TEXT NOT NULL,
    PRIMARY KEY (client_id, kind, uri)
);

-- Checked authorization requests waiting for a login or a consent (the
-- pages refer to them by id, so a long request survives the login form).
CREATE TABLE oidc_requests (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scopes INTEGER NOT NULL,
    state TEXT,
    nonce TEXT,
    code_challenge TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX oidc_requests_expires ON oidc_requests(expires_at);

-- Authorization codes (SHA-256 of the code), usable once.
CREATE TABLE oidc_codes (
    hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    account_id TEXT NOT NULL,
    fin TEXT NOT NULL,
    sid TEXT NOT NULL,
    scopes INTEGER NOT NULL,
    nonce TEXT,
    code_challenge TEXT NOT NULL,
    acr TEXT NOT NULL,
    amr TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX oidc_codes_expires ON oidc_codes(expires_at);

-- Access tokens (SHA-256), revoked with their code when it is replayed.
CREATE TABLE oidc_tokens (
    hash TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    fin TEXT NOT NULL,
    scopes INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX oidc_tokens_code ON oidc_tokens(code_hash);
CREATE INDEX oidc_tokens_expires ON oidc_tokens(expires_at);

-- What a person has allowed a site to know, remembered per site.
CREATE TABLE oidc_consents (
    account_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oidc_clients(id),
    scopes INTEGER NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- Which sites a portal session signed in to: who to tell when it ends.
CREATE TABLE oidc_rp_sessions (
    sid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    sub TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (sid, client_id)
);
CREATE INDEX oidc_rp_sessions_account ON oidc_rp_sessions(account_id);

-- Signing keys (ES256): the private key encrypted (PKCS#8, AES-256,
-- PBKDF2) under the node's passphrase, the public JWK, the certificate
-- chain from the CA.  A key is published before it signs and after it
-- stops (active_from .. retire_at).
CREATE TABLE oidc_keys (
    kid TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    cert_pem TEXT,
    created_at INTEGER NOT NULL,
    active_from INTEGER NOT NULL,
    active_until INTEGER NOT NULL,
    retire_at INTEGER NOT NULL
);

-- Values every node must share, made once (the pairwise subjects' key).
CREATE TABLE oidc_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
