-- One row per check run; the probe evidence is a JSON document (redacted
-- before it gets here).
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    check_name  TEXT    NOT NULL,
    started_ms  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    passed      INTEGER NOT NULL,
    severity    TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    probes_json TEXT    NOT NULL
);
CREATE INDEX runs_check_started ON runs (check_name, started_ms DESC);

-- The alerting state per check, so that a restart neither forgets a
-- regression nor alerts again.
CREATE TABLE check_state (
    check_name  TEXT PRIMARY KEY,
    status      TEXT    NOT NULL,
    since_ms    INTEGER NOT NULL,
    severity    TEXT    NOT NULL,
    failing     TEXT    NOT NULL,
    last_run_id INTEGER NOT NULL REFERENCES runs (id)
);

-- Notifications to deliver, written in the same transaction as the state
-- change that caused them; a sender drains it in order per check.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    check_name  TEXT    NOT NULL,
    event_json  TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_ms INTEGER NOT NULL,
    sent_ms     INTEGER,
    failed      INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (check_name, id) WHERE sent_ms IS NULL AND failed = 0;
