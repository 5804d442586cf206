-- The online queue of the service centres.  Times are unix seconds; a
-- centre's days ("YYYY-MM-DD") and hours are local (utc_offset minutes).

CREATE TABLE queue_centres (
    id TEXT PRIMARY KEY,
    agency_id TEXT,                       -- whose staff work the desk
    name_az TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    address_az TEXT NOT NULL,
    address_en TEXT NOT NULL,
    address_ru TEXT NOT NULL,
    counters INTEGER NOT NULL,
    slot_minutes INTEGER NOT NULL,
    utc_offset INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE queue_hours (
    centre_id TEXT NOT NULL REFERENCES queue_centres(id),
    weekday INTEGER NOT NULL,             -- 0 Monday … 6 Sunday
    opens INTEGER NOT NULL,               -- minutes after local midnight
    closes INTEGER NOT NULL,
    PRIMARY KEY (centre_id, weekday)
);

-- The service each counter serves.
CREATE TABLE queue_counters (
    centre_id TEXT NOT NULL REFERENCES queue_centres(id),
    counter INTEGER NOT NULL,             -- 1..counters
    service_id TEXT NOT NULL,
    PRIMARY KEY (centre_id, counter)
);

CREATE TABLE queue_holidays (
    centre_id TEXT NOT NULL REFERENCES queue_centres(id),
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (centre_id, day)
);

-- One slot per counter and start time (of the counter's service);
-- booking_code is set by the one booking that takes it (a conditional
-- UPDATE: never two).
CREATE TABLE queue_slots (
    id TEXT PRIMARY KEY,                  -- centre.YYYYMMDD.HHMM.counter
    centre_id TEXT NOT NULL REFERENCES queue_centres(id),
    day TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    counter INTEGER NOT NULL,
    service_id TEXT NOT NULL,
    booking_code TEXT,
    UNIQUE (centre_id, start_at, counter)
);
CREATE INDEX queue_slots_day ON queue_slots(centre_id, day, service_id, start_at);

CREATE TABLE queue_bookings (
    code TEXT PRIMARY KEY,
    slot_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    day TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    counter INTEGER NOT NULL,
    fin TEXT,                             -- NULL: booked without login
    name TEXT,
    phone TEXT,                           -- where to send messages (given, or the person's)
    email TEXT,
    lang TEXT NOT NULL,
    state TEXT NOT NULL,                  -- booked | cancelled | checked_in | called | no_show
    ticket INTEGER NOT NULL DEFAULT 0,
    reminded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    checked_in_at INTEGER,
    called_at INTEGER
);
CREATE INDEX queue_bookings_day ON queue_bookings(centre_id, day, state, start_at);
CREATE INDEX queue_bookings_fin ON queue_bookings(fin, state, start_at);
CREATE INDEX queue_bookings_phone ON queue_bookings(phone, state, start_at);
CREATE INDEX queue_bookings_due ON queue_bookings(state, reminded, start_at);
