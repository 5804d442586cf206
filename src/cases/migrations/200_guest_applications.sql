-- Applications without login (issue 10): a service of level none is
-- applied to from a guest account; the application's channel is
-- "anonymous" (the channel column is 270_channels.sql's), and this table
-- keeps the contact the applicant gave and the hash of the access code
-- (shown once) with which they follow it later.

CREATE TABLE case_guests (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    reference TEXT NOT NULL UNIQUE,
    code_hash TEXT NOT NULL,              -- SHA-256 of the access code (80 random bits)
    contact_kind TEXT NOT NULL,           -- email | phone
    contact TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
