-- The (agency, due date) index led the planner away from the inbox's
-- order: a filtered inbox then sorted tens of thousands of rows.  The
-- (agency, status, submitted_at) index serves every inbox query in order.
DROP INDEX IF EXISTS applications_due;
