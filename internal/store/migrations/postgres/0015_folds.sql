-- The columns of folded runs (see the SQLite migration). PostgreSQL keeps
-- one row per run: its day partitions are dropped whole, and a row that
-- grew across days would hold a partition back. The columns stay zero.
ALTER TABLE runs ADD COLUMN repeats BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN last_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN max_us BIGINT NOT NULL DEFAULT 0;
