-- Surveys: questions as a form definition of src/cases (docs/forms.md),
-- anonymous or identified.

CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,              -- the service's agency
    service_id TEXT NOT NULL,             -- the service it asks about
    title_az TEXT NOT NULL,
    title_en TEXT NOT NULL,
    title_ru TEXT NOT NULL,
    anonymous INTEGER NOT NULL,           -- 1: answers are kept without the respondent
    opens_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    definition TEXT NOT NULL,             -- the form definition, as checked
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX surveys_open ON surveys(closes_at);

-- Who answered (one response per person), apart from the answers.
CREATE TABLE survey_respondents (
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    fin TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (survey_id, fin)
);

-- The answers: the person only in an identified survey; a random id, so
-- the key's order is not the order of answering.
CREATE TABLE survey_responses (
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    id TEXT NOT NULL,
    fin TEXT,                             -- NULL in an anonymous survey
    answers TEXT NOT NULL,                -- a JSON object
    PRIMARY KEY (survey_id, id)
);
