-- The interior ministry's register of administrative offence protocols
-- (src/registries, kind "fines"): a protocol is found by its number, the
-- offender's FİN, ID card or driving licence, or a company's VÖEN, and marked paid
-- with the payment's reference.  The document is the register's answer.

CREATE TABLE reg_fines (
    protocol_no TEXT PRIMARY KEY,         -- "PR" and 8 digits
    fin TEXT,                             -- the person fined (NULL for a company)
    licence TEXT,                         -- their driving licence
    id_card TEXT,                         -- their ID card's number
    voen TEXT,                            -- the company fined (NULL for a person)
    status TEXT NOT NULL,                 -- unpaid, paid, cancelled
    payment_ref TEXT,                     -- the payment that paid it
    doc TEXT NOT NULL                     -- number, date, article, amount_qepik, points, plate, initials, JSON
);
CREATE INDEX reg_fines_fin ON reg_fines(fin);
CREATE INDEX reg_fines_licence ON reg_fines(licence);
CREATE INDEX reg_fines_voen ON reg_fines(voen);
CREATE INDEX reg_fines_id_card ON reg_fines(id_card);
