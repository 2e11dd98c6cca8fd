-- The writer keeps the current rollups in memory and writes them about once
-- a second (write.go). rollup_mark says how far the stored rollups go: every
-- run with id <= run_id is counted in them, no later one is. It is written
-- in the transaction that writes the rollups, so after a crash the runs past
-- it are folded in once at open, neither lost nor counted twice. Rollups
-- were written with their runs until now: all of them are counted.
CREATE TABLE rollup_mark (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    run_id INTEGER NOT NULL
);
INSERT INTO rollup_mark (id, run_id) SELECT 1, COALESCE(MAX(id), 0) FROM runs;
