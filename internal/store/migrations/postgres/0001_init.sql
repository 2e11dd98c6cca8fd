-- The whole schema of version 11 (migrations/sqlite/0001..0011) in one
-- file: PostgreSQL support began at version 11, so 0002..0011 are empty
-- here and a version number means the same schema on both engines. Types
-- follow SQLite's: integers (timestamps in unix ms, flags as 0/1) are
-- bigint, text is text, blobs are bytea.

-- Runs are partitioned by month of started_ms (partitions.go creates them
-- ahead; retention drops whole partitions). The default partition catches
-- anything outside them. No foreign key points here (check_state keeps
-- last_run_id without one): a partitioned table's key must include
-- started_ms.
CREATE TABLE runs (
    id          bigserial,
    check_id    bigint NOT NULL,
    started_ms  bigint NOT NULL,
    duration_us bigint NOT NULL DEFAULT 0,
    passed      bigint NOT NULL,
    evidence_id bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (id, started_ms)
) PARTITION BY RANGE (started_ms);
CREATE TABLE runs_default PARTITION OF runs DEFAULT;
CREATE INDEX runs_by_check ON runs (check_id, started_ms);
CREATE INDEX runs_by_id ON runs (id);

CREATE TABLE check_state (
    check_name  text PRIMARY KEY,
    status      text   NOT NULL,
    since_ms    bigint NOT NULL,
    severity    text   NOT NULL,
    failing     text   NOT NULL,
    last_run_id bigint NOT NULL,
    state_json  text   NOT NULL DEFAULT '',
    flapping    bigint NOT NULL DEFAULT 0
);

-- Whether the check flaps, copied out of state_json (see the SQLite
-- migration 0006, which does the same with two triggers).
CREATE FUNCTION check_state_flapping() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.flapping := CASE WHEN NEW.state_json = '' THEN 0
        ELSE COALESCE(CASE jsonb_typeof(NEW.state_json::jsonb -> 'flapping')
            WHEN 'boolean' THEN (NEW.state_json::jsonb ->> 'flapping')::boolean::int
            WHEN 'number' THEN (NEW.state_json::jsonb ->> 'flapping')::numeric::int END, 0) END;
    RETURN NEW;
END $$;
CREATE TRIGGER check_state_flapping BEFORE INSERT OR UPDATE OF state_json ON check_state
    FOR EACH ROW EXECUTE FUNCTION check_state_flapping();

CREATE TABLE outbox (
    id             bigserial PRIMARY KEY,
    check_name     text   NOT NULL,
    event_json     text   NOT NULL,
    created_ms     bigint NOT NULL,
    attempts       bigint NOT NULL DEFAULT 0,
    next_try_ms    bigint NOT NULL,
    sent_ms        bigint,
    failed         bigint NOT NULL DEFAULT 0,
    last_error     text   NOT NULL DEFAULT '',
    incident_id    bigint NOT NULL DEFAULT 0,
    inflight_ms    bigint NOT NULL DEFAULT 0,
    first_error_ms bigint NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (check_name, id) WHERE sent_ms IS NULL AND failed = 0;

CREATE TABLE incidents (
    id             bigserial PRIMARY KEY,
    check_name     text   NOT NULL,
    severity       text   NOT NULL,
    opened_ms      bigint NOT NULL,
    resolved_ms    bigint NOT NULL DEFAULT 0,
    incident_json  text   NOT NULL,
    thread_channel text   NOT NULL DEFAULT '',
    thread_ts      text   NOT NULL DEFAULT ''
);
CREATE INDEX incidents_by_state ON incidents (resolved_ms, opened_ms DESC);
CREATE INDEX incidents_by_check ON incidents (check_name, opened_ms DESC);
-- Several monitors share this database: the database itself guarantees
-- one open incident per check.
CREATE UNIQUE INDEX incidents_one_open ON incidents (check_name) WHERE resolved_ms = 0;

CREATE TABLE check_names (
    id   bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE evidence (
    id          bigserial PRIMARY KEY,
    check_id    bigint NOT NULL,
    started_ms  bigint NOT NULL,
    probes_json text   NOT NULL,
    verdict     text   NOT NULL DEFAULT ''
);
CREATE INDEX evidence_by_check ON evidence (check_id, id);

CREATE TABLE rollups (
    check_id bigint NOT NULL,
    period   bigint NOT NULL,
    start_ms bigint NOT NULL,
    runs     bigint NOT NULL,
    failures bigint NOT NULL,
    lat_min  bigint NOT NULL,
    lat_max  bigint NOT NULL,
    lat_sum  bigint NOT NULL,
    hist     bytea  NOT NULL,
    PRIMARY KEY (check_id, period, start_ms)
);

CREATE TABLE check_latest (
    check_id      bigint PRIMARY KEY,
    run_id        bigint NOT NULL,
    started_ms    bigint NOT NULL,
    duration_us   bigint NOT NULL,
    passed        bigint NOT NULL,
    evidence_id   bigint NOT NULL,
    kinds         text   NOT NULL,
    verdict       text   NOT NULL,
    hour_ms       bigint NOT NULL DEFAULT 0,
    hour_runs     bigint NOT NULL DEFAULT 0,
    hour_failures bigint NOT NULL DEFAULT 0,
    hour_hist     bytea  NOT NULL DEFAULT '\x'
);

CREATE TABLE check_recent (
    check_id bigint PRIMARY KEY,
    hour_ms  bigint NOT NULL,
    strip    bytea  NOT NULL
);

CREATE TABLE failed_logins (
    id         bigserial PRIMARY KEY,
    account    text   NOT NULL,
    at_ms      bigint NOT NULL,
    check_name text   NOT NULL
);
CREATE INDEX failed_logins_by_account ON failed_logins (account, at_ms);

CREATE TABLE status_notes (
    id         bigserial PRIMARY KEY,
    created_ms bigint NOT NULL,
    author     text   NOT NULL,
    component  text   NOT NULL,
    phase      text   NOT NULL,
    body       text   NOT NULL
);
CREATE INDEX status_notes_by_time ON status_notes (created_ms);

CREATE TABLE jwks_keys (
    jwks_url       text   NOT NULL,
    kid            text   NOT NULL,
    pos            bigint NOT NULL,
    kty            text   NOT NULL,
    alg            text   NOT NULL,
    first_seen_ms  bigint NOT NULL,
    last_seen_ms   bigint NOT NULL,
    removed_ms     bigint NOT NULL,
    first_token_ms bigint NOT NULL,
    token_exp_ms   bigint NOT NULL,
    PRIMARY KEY (jwks_url, kid)
);

-- iif() as in SQLite, which the store's shared SQL uses.
CREATE FUNCTION iif(boolean, anyelement, anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $1 THEN $2 ELSE $3 END';
