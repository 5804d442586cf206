-- The authentic sources (src/registries).  Each registry runs with its own
-- database; every database has every table.  A record is kept whole as
-- JSON (the registry answers it as it is), found by its key.

CREATE TABLE reg_persons (
    fin TEXT PRIMARY KEY,                 -- 7 characters 0-9 A-Z
    doc TEXT NOT NULL                     -- the population register's fields, JSON
);

CREATE TABLE reg_taxpayers (
    voen TEXT PRIMARY KEY,                -- 10 digits
    doc TEXT NOT NULL                     -- the tax register's fields, JSON
);

CREATE TABLE reg_properties (
    fin TEXT PRIMARY KEY,                 -- the owner
    doc TEXT NOT NULL                     -- the real-estate register: properties and encumbrances, JSON
);

CREATE TABLE reg_contracts (
    fin TEXT PRIMARY KEY,                 -- the employee
    doc TEXT NOT NULL                     -- employment contracts, JSON
);

CREATE TABLE reg_insurance (
    fin TEXT PRIMARY KEY,                 -- the insured person
    doc TEXT NOT NULL                     -- social insurance, pension, assistance, JSON
);
