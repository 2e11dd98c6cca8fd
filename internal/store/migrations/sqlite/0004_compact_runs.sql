-- Compact history. A run row keeps only what every run has (when, how long,
-- passed or not) and points at its evidence: the full probe outcomes, written
-- for failures and whenever the outcomes change, and shared by the passing
-- runs that follow unchanged. Check names become small integer ids.
CREATE TABLE check_names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO check_names (name)
    SELECT check_name FROM runs UNION SELECT check_name FROM check_state
    UNION SELECT check_name FROM incidents;

CREATE TABLE evidence (
    id          INTEGER PRIMARY KEY,
    check_id    INTEGER NOT NULL,
    started_ms  INTEGER NOT NULL,
    probes_json TEXT    NOT NULL
);
CREATE INDEX evidence_by_check ON evidence (check_id, id);
INSERT INTO evidence (id, check_id, started_ms, probes_json)
    SELECT r.id, c.id, r.started_ms, r.probes_json FROM runs r JOIN check_names c ON c.name = r.check_name;

ALTER TABLE runs ADD COLUMN check_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN duration_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN evidence_id INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET check_id = (SELECT id FROM check_names WHERE name = runs.check_name),
    evidence_id = id, duration_us = duration_ms * 1000;
DROP INDEX runs_check_started;
ALTER TABLE runs DROP COLUMN check_name;
ALTER TABLE runs DROP COLUMN severity;
ALTER TABLE runs DROP COLUMN summary;
ALTER TABLE runs DROP COLUMN probes_json;
ALTER TABLE runs DROP COLUMN duration_ms;
CREATE INDEX runs_by_check ON runs (check_id, started_ms);

-- Rollups per check per hour (period 0) and per day (period 1), maintained
-- as runs are written; hist is a latency histogram (see hist.go).
CREATE TABLE rollups (
    check_id INTEGER NOT NULL,
    period   INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    runs     INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    lat_min  INTEGER NOT NULL,
    lat_max  INTEGER NOT NULL,
    lat_sum  INTEGER NOT NULL,
    hist     BLOB    NOT NULL,
    PRIMARY KEY (check_id, period, start_ms)
) WITHOUT ROWID;
