-- Files the applicant attaches to the appeal of a refusal (issue 17 item
-- 6; branch vemtas3): each an upload of the applicant's (table uploads,
-- the same limits and content checks), kept with the case in the appeal's
-- own transaction; the name is the one kept at upload, cleaned.
CREATE TABLE appeal_files (
    application_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, sha256)
);
