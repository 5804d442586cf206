-- The running grant of social assistance (src/social/grant.c; branch
-- vemtas2): a suspension lifted by the officer (the months skipped paid
-- in arrears or not, by the parameters), a grant ended, and the
-- re-assessment before the period ends (fresh evidence, then extended or
-- ended).  Times are Unix seconds.

ALTER TABLE social_grants ADD COLUMN resumed_at BIGINT;       -- the officer lifted the last suspension
ALTER TABLE social_grants ADD COLUMN ended_at BIGINT;         -- ended by the officer: nothing more is paid
ALTER TABLE social_grants ADD COLUMN reassess_at BIGINT;      -- a re-assessment began (fresh evidence asked); NULL: none running
ALTER TABLE social_grants ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE social_grants ADD COLUMN last_month TEXT;         -- YYYY-MM of the last payment (NULL: granted before this column)
CREATE INDEX social_grants_last_month ON social_grants(last_month);
ALTER TABLE social_payments ADD COLUMN pay_month TEXT;        -- YYYY-MM it goes to the bank when not its month (arrears)
