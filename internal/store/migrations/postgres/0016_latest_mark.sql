-- SQLite's 0016, for the same schema version (the mark is not used here).
ALTER TABLE rollup_mark ADD COLUMN latest_run_id bigint NOT NULL DEFAULT 0;
UPDATE rollup_mark SET latest_run_id = run_id;
