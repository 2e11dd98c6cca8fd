-- A fleet: several monitors on one database (fleet.go); the same tables as
-- SQLite's 0012.

-- Each monitor process: where it probes from, what it runs and when it was
-- last seen (heartbeat). Times are the database's clock, in unix ms.
CREATE TABLE instances (
    id            text PRIMARY KEY,
    location      text   NOT NULL,
    version       text   NOT NULL,
    config_sha    text   NOT NULL,
    started_ms    bigint NOT NULL,
    loaded_ms     bigint NOT NULL,
    seen_ms       bigint NOT NULL,
    slots_run     bigint NOT NULL DEFAULT 0,
    slots_skipped bigint NOT NULL DEFAULT 0,
    late_p50_ms   bigint NOT NULL DEFAULT 0,
    late_p99_ms   bigint NOT NULL DEFAULT 0,
    claiming      bigint NOT NULL DEFAULT 0,
    note          text   NOT NULL DEFAULT ''
);

-- One row per (check, location): the next slot and the lease of the slot
-- being run. Claimed with FOR UPDATE SKIP LOCKED on PostgreSQL.
CREATE TABLE schedule (
    check_name     text   NOT NULL,
    location       text   NOT NULL,
    spec           text   NOT NULL,
    next_slot_ms   bigint NOT NULL,
    lease_owner    text   NOT NULL DEFAULT '',
    lease_until_ms bigint NOT NULL DEFAULT 0,
    lease_slot_ms  bigint NOT NULL DEFAULT 0,
    skipped        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (check_name, location)
);
CREATE INDEX schedule_due ON schedule (location, next_slot_ms);

-- Which slot each recorded run was: the key rejects a second writer of
-- the same (check, location, slot), such as an instance that stalled past
-- its lease while a peer ran the slot again.
CREATE TABLE slot_runs (
    check_name text   NOT NULL,
    location   text   NOT NULL,
    slot_ms    bigint NOT NULL,
    instance   text   NOT NULL,
    PRIMARY KEY (check_name, location, slot_ms)
);

-- Each location's latest verdict of a check, for the aggregate decision
-- and the dashboard's probe matrix per location.
CREATE TABLE location_latest (
    check_name text   NOT NULL,
    location   text   NOT NULL,
    run_id     bigint NOT NULL,
    started_ms bigint NOT NULL,
    slot_ms    bigint NOT NULL,
    instance   text   NOT NULL,
    passed     bigint NOT NULL,
    verdict    text   NOT NULL,
    PRIMARY KEY (check_name, location)
);

ALTER TABLE runs ADD COLUMN location text NOT NULL DEFAULT '';

-- A notification being delivered by one instance: the others skip it until
-- the claim ends.
ALTER TABLE outbox ADD COLUMN claimed_by text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claim_until_ms bigint NOT NULL DEFAULT 0;

-- What targets asked a fleet to wait for (book "429": a check's negative
-- probes after a 429, until Retry-After) and when each enumeration probe is
-- next due (book "enumeration"), shared so that N instances never probe N
-- times harder than one.
CREATE TABLE pauses (
    book       text   NOT NULL,
    check_name text   NOT NULL,
    until_ms   bigint NOT NULL,
    PRIMARY KEY (book, check_name)
);
