-- The central registry's operators (src/exchange/operator.c): accounts of
-- the central's own database, never the portal's, their sessions on the
-- operator listener (`pencere central serve --admin-listen`) and the
-- login throttle.  Times are unix seconds.

CREATE TABLE xr_operators (
    login TEXT PRIMARY KEY,               -- 1-64 of A-Z a-z 0-9 . _ -
    password_hash TEXT NOT NULL,          -- Argon2id, encoded (identity's KDF)
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE xr_operator_sessions (
    token_hash TEXT PRIMARY KEY,          -- SHA-256 hex of the cookie's token
    login TEXT NOT NULL REFERENCES xr_operators(login),
    csrf TEXT NOT NULL,                   -- the token every form must carry
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL             -- idle timeout counts from here
);
CREATE INDEX xr_operator_sessions_login ON xr_operator_sessions(login);

-- Failed logins per key ("login:L", "ip:ADDR") in the current window.
CREATE TABLE xr_operator_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);
