-- A counter raised by every catalogue import, so that answers cached by
-- any node are known to be stale at once.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO catalog_version(id, version) VALUES (1, 1);
