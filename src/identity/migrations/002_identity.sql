-- Identity: persons (FİN), legal entities (VÖEN) and who may act for them,
-- accounts with their credentials and roles, sessions, one-time codes,
-- login throttling.  Identifiers are random text (hex) so one script
-- serves both backends.  (Version 2 also has parts in src/audit and
-- src/notify: the parts of one version run together, in module order.)

CREATE TABLE persons (
    fin TEXT PRIMARY KEY,                 -- 7 characters [0-9A-Z]
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    patronymic TEXT,
    birth_date TEXT NOT NULL,             -- YYYY-MM-DD
    gender TEXT NOT NULL,                 -- m | f
    id_card TEXT,                         -- identity card number
    address TEXT,
    phone TEXT,                           -- +994XXXXXXXXX
    email TEXT,
    lang TEXT NOT NULL DEFAULT 'az',
    disability INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,                 -- where the record came from
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_name ON persons(last_name, first_name);

CREATE TABLE legal_entities (
    voen TEXT PRIMARY KEY,                -- 10 digits
    name TEXT NOT NULL,
    legal_form TEXT NOT NULL,
    status TEXT NOT NULL,                 -- active | liquidated | suspended
    address TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE representatives (
    voen TEXT NOT NULL REFERENCES legal_entities(voen),
    fin TEXT NOT NULL REFERENCES persons(fin),
    scope TEXT NOT NULL,                  -- full | applications | tax
    granted_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (voen, fin)
);
CREATE INDEX representatives_fin ON representatives(fin);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,           -- the FİN for citizens, a name for staff
    fin TEXT REFERENCES persons(fin),
    status TEXT NOT NULL,                 -- pending | active | disabled
    password_hash TEXT,                   -- Argon2id encoded, NULL until activated
    password_set_at TEXT,
    totp_secret TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,  -- unix seconds
    created_at TEXT NOT NULL
);
CREATE INDEX accounts_fin ON accounts(fin);

CREATE TABLE account_roles (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    agency_id TEXT NOT NULL DEFAULT '',   -- '' for roles without an agency
    granted_by TEXT,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (account_id, role, agency_id)
);

CREATE TABLE one_time_codes (
    code_hash TEXT PRIMARY KEY,           -- SHA-256 of the code
    account_id TEXT NOT NULL REFERENCES accounts(id),
    purpose TEXT NOT NULL,                -- activate | reset
    issued_by TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX one_time_codes_account ON one_time_codes(account_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,          -- SHA-256 of the 256-bit token
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,                   -- cookie | bearer
    acting_for TEXT,                      -- VÖEN when acting for an entity
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,          -- absolute limit
    ip TEXT,
    user_agent TEXT,
    revoked_at INTEGER
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,                 -- "login:<login>" or "ip:<address>"
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL
);
