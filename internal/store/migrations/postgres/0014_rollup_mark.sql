-- SQLite's 0014, for the same schema version. On PostgreSQL several monitors
-- share the rollups, so each batch writes them with its runs and this mark
-- is not used.
CREATE TABLE rollup_mark (
    id     bigint PRIMARY KEY CHECK (id = 1),
    run_id bigint NOT NULL
);
INSERT INTO rollup_mark (id, run_id) SELECT 1, COALESCE(MAX(id), 0) FROM runs;
