-- The interior ministry's vehicle register by the owner's FİN, and the
-- taxpayers' register found by an individual entrepreneur's owner
-- (src/registries; branch vemtas2).

CREATE TABLE reg_vehicles (
    fin TEXT PRIMARY KEY,                 -- the owner
    doc TEXT NOT NULL                     -- vehicles with plates and flags, JSON
);

ALTER TABLE reg_taxpayers ADD COLUMN owner_fin TEXT;  -- an individual entrepreneur's owner; NULL for a company
CREATE INDEX reg_taxpayers_owner ON reg_taxpayers(owner_fin);
