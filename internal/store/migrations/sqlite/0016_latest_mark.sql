-- check_latest and check_recent are written less often than the rollups
-- (write.go: when a page asks, at shutdown and every few seconds), so they
-- get a mark of their own: every run with id <= latest_run_id is in them.
-- After a crash the checks with later runs get theirs rebuilt at open.
ALTER TABLE rollup_mark ADD COLUMN latest_run_id INTEGER NOT NULL DEFAULT 0;
UPDATE rollup_mark SET latest_run_id = run_id;
