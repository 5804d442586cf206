-- Fines paid without login (src/fines): each order (the protocols one
-- payer chose to pay together), each protocol's claim by the order paying
-- it (one order at a time: a second payment of a protocol is refused
-- before money moves), and the look-ups counted per client address and
-- minute (throttling).

CREATE TABLE fine_orders (
    id TEXT PRIMARY KEY,                  -- "FIN-" + random: the payment's subject
    protocols TEXT NOT NULL,              -- protocol numbers, space-separated
    amounts TEXT NOT NULL,                -- their amounts in qəpik, space-separated, in the same order
    amount_qepik INTEGER NOT NULL CHECK (amount_qepik > 0),
    state TEXT NOT NULL,                  -- open, told (the register knows it is paid), refused, void (no money came)
    attempts INTEGER NOT NULL DEFAULT 0,  -- times the register was asked
    problem TEXT,                         -- the register's last refusal or fault
    created_at INTEGER NOT NULL,
    told_at INTEGER
);
CREATE INDEX fine_orders_open ON fine_orders(state, created_at);

CREATE TABLE fine_claims (
    protocol_no TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    claimed_at INTEGER NOT NULL
);

CREATE TABLE fine_lookups (
    client TEXT NOT NULL,                 -- the client's address
    minute INTEGER NOT NULL,              -- unix time / 60
    n INTEGER NOT NULL,
    PRIMARY KEY (client, minute)
);
