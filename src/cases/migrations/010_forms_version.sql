-- A counter raised by every form import that stores a new version, so that
-- every node knows at its next check that the forms it holds in memory are
-- stale and loads them again (like catalog_version for the catalogue).
CREATE TABLE forms_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO forms_version(id, version) VALUES (1, 1);
