-- Appeals of a refusal (issue 17 item 6): who decided (an appeal is
-- reviewed by someone else) and when the refusal was appealed (once).
ALTER TABLE applications ADD COLUMN decided_by TEXT;
ALTER TABLE applications ADD COLUMN appealed_at INTEGER;
