-- When the current delivery attempt started; 0 when none is under way. A
-- non-zero value found after a restart means the process died mid-send.
ALTER TABLE outbox ADD COLUMN inflight_ms INTEGER NOT NULL DEFAULT 0;
