-- The inbox filters inside its indexes.  An overdue filter used to read the
-- row of every case newer than the first overdue one (due_at was not in the
-- index), and "assigned to me" scanned the agency's whole inbox (the
-- assignee index was not in the inbox's order).  Now the state and the due
-- date ride along in the inbox entries, so cases not yet due are skipped
-- without reading their rows, and the assignee has an index in the inbox's
-- order.  And a case submitted more recently than the shortest time any
-- case of its state was given cannot be overdue yet: applications_lead
-- finds that shortest time, so an overdue scan starts where overdue cases
-- can begin.  Figures in docs/performance.md (bench/identity_apps.py).
DROP INDEX IF EXISTS applications_inbox;
DROP INDEX IF EXISTS applications_inbox_status;
DROP INDEX IF EXISTS applications_assigned;
CREATE INDEX applications_inbox ON applications(agency_id, submitted_at, id, status, due_at);
CREATE INDEX applications_inbox_status ON applications(agency_id, status, submitted_at, id, due_at);
CREATE INDEX applications_assigned ON applications(agency_id, assigned_to, submitted_at, id, status, due_at);
CREATE INDEX applications_lead ON applications(agency_id, status, (due_at - submitted_at));
