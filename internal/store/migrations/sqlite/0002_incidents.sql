-- Incidents: one row per regression of a check, open until it resolves.
-- The incident itself is JSON (alert.Incident); the columns are what the
-- dashboard sorts and filters on. thread_* locate the root Slack message.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    check_name     TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    opened_ms      INTEGER NOT NULL,
    resolved_ms    INTEGER NOT NULL DEFAULT 0,
    incident_json  TEXT    NOT NULL,
    thread_channel TEXT    NOT NULL DEFAULT '',
    thread_ts      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX incidents_by_state ON incidents (resolved_ms, opened_ms DESC);
CREATE INDEX incidents_by_check ON incidents (check_name, opened_ms DESC);

-- The whole alert.State of a check (streaks, evidence, open incident). Empty
-- for rows written by version 1, which the store upgrades when it reads them.
ALTER TABLE check_state ADD COLUMN state_json TEXT NOT NULL DEFAULT '';

ALTER TABLE outbox ADD COLUMN incident_id INTEGER NOT NULL DEFAULT 0;

-- Version 1 events used other kind names.
UPDATE outbox SET event_json = json_set(event_json, '$.kind', 'opened')
    WHERE json_extract(event_json, '$.kind') = 'regressed';
UPDATE outbox SET event_json = json_set(event_json, '$.kind', 'resolved')
    WHERE json_extract(event_json, '$.kind') = 'recovered';
