-- The notification outbox.  Part of version 2 with src/identity's part.

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    channel TEXT NOT NULL,                -- sms | email
    recipient TEXT NOT NULL,
    template TEXT NOT NULL,
    lang TEXT NOT NULL,
    payload TEXT NOT NULL,                -- JSON
    status TEXT NOT NULL,                 -- created | sending | delivered | retry | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
