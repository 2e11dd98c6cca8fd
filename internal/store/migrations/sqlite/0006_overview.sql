-- What the overview reads for every check, kept current as runs are written,
-- so that a page of 1,000 checks reads two short rows per check instead of
-- searching the runs, decoding evidence and summing dozens of rollups.

-- The latest run of each check: its probe kinds and, when it failed, a copy
-- of its verdict (evidence.verdict, or the full probes of evidence older
-- than migration 5), so a passing run needs no JSON decoded; and a copy
-- of the check's newest hourly rollup (hour_*), which check_recent's strip
-- leaves out. The batch writer keeps it, one row per check per batch
-- (latest.go).
CREATE TABLE check_latest (
    check_id      INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL,
    started_ms    INTEGER NOT NULL,
    duration_us   INTEGER NOT NULL,
    passed        INTEGER NOT NULL,
    evidence_id   INTEGER NOT NULL,
    kinds         TEXT    NOT NULL, -- the verdict's probe kinds, comma-separated, in order
    verdict       TEXT    NOT NULL, -- '' for a passing run
    hour_ms       INTEGER NOT NULL DEFAULT 0,
    hour_runs     INTEGER NOT NULL DEFAULT 0,
    hour_failures INTEGER NOT NULL DEFAULT 0,
    hour_hist     BLOB    NOT NULL DEFAULT x''
);

INSERT INTO check_latest (check_id, run_id, started_ms, duration_us, passed, evidence_id, kinds, verdict)
    SELECT l.check_id, l.id, l.started_ms, l.duration_us, l.passed, l.evidence_id,
        (SELECT ifnull(group_concat(j.value ->> 'kind'), '') FROM json_each(l.verdict) j), iif(l.passed, '', l.verdict)
    FROM (SELECT r.check_id, r.id, r.started_ms, r.duration_us, r.passed, r.evidence_id,
            ifnull((SELECT iif(e.verdict = '', e.probes_json, e.verdict) FROM evidence e WHERE e.id = r.evidence_id), '[]') AS verdict
        FROM check_names cn
        JOIN runs r ON r.id = (SELECT id FROM runs WHERE check_id = cn.id ORDER BY started_ms DESC LIMIT 1)) l;

-- Each check's recent history in one row: the hourly rollups of the 24 hours
-- and the daily ones of the 30 days before hour_ms, packed (see recent.go).
-- The writer rebuilds the row when a check's runs reach a new hour, or when
-- a run lands in an hour it already holds; the rollup of hour_ms itself is
-- check_latest's copy. Built, with that copy, for existing checks by the
-- migration's code (backfillRecent).
CREATE TABLE check_recent (
    check_id INTEGER PRIMARY KEY,
    hour_ms  INTEGER NOT NULL,
    strip    BLOB    NOT NULL
);

-- Whether the check flaps, out of state_json, which the overview would
-- otherwise decode for every check. State is written only when it changes,
-- so triggers keep this copy at no cost to a steady check; a state that is
-- not JSON (version 1 rows) does not flap.
ALTER TABLE check_state ADD COLUMN flapping INTEGER NOT NULL DEFAULT 0;
UPDATE check_state SET flapping = iif(json_valid(state_json), ifnull(state_json ->> 'flapping', 0), 0);

CREATE TRIGGER check_state_flapping_insert AFTER INSERT ON check_state BEGIN
    UPDATE check_state SET flapping = iif(json_valid(NEW.state_json), ifnull(NEW.state_json ->> 'flapping', 0), 0)
    WHERE check_name = NEW.check_name;
END;

CREATE TRIGGER check_state_flapping_update AFTER UPDATE OF state_json ON check_state BEGIN
    UPDATE check_state SET flapping = iif(json_valid(NEW.state_json), ifnull(NEW.state_json ->> 'flapping', 0), 0)
    WHERE check_name = NEW.check_name;
END;
