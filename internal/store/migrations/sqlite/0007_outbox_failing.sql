-- When a pending notification's first failed attempt was: the oldest such
-- time among those still waiting is when delivery began failing, which the
-- overview shows ("Slack failing since T, N waiting"). 0 until it fails.
ALTER TABLE outbox ADD COLUMN first_error_ms INTEGER NOT NULL DEFAULT 0;
