-- Folded runs. A passing run that repeats its check's latest row (same
-- evidence, same hour, nothing for the alert state to write) adds to that
-- row instead of a row of its own: repeats counts the runs folded into it,
-- last_ms is when the newest of them started and max_us is the slowest of
-- them. A row with repeats = 0 is one run, as before.
ALTER TABLE runs ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN last_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN max_us INTEGER NOT NULL DEFAULT 0;
