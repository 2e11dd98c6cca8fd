-- Named alert channels: an event queues one outbox row per channel it goes
-- to, and each row names its channel ('' is the default: [slack] or the
-- log). Delivery is in order per check and channel.
ALTER TABLE outbox ADD COLUMN channel text NOT NULL DEFAULT '';
-- The root message of an incident in each named Slack channel (the default
-- channel keeps using incidents.thread_channel and thread_ts).
CREATE TABLE incident_threads (
    incident_id    bigint NOT NULL,
    channel        text   NOT NULL,
    thread_channel text   NOT NULL,
    thread_ts      text   NOT NULL,
    PRIMARY KEY (incident_id, channel)
);
-- Who acknowledged an incident, and when (0: not acknowledged).
ALTER TABLE incidents ADD COLUMN acked_by text   NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN acked_ms bigint NOT NULL DEFAULT 0;
-- One-off silences of a check ("snooze"), until a time.
CREATE TABLE snoozes (
    check_name TEXT   NOT NULL PRIMARY KEY,
    until_ms   bigint NOT NULL,
    by_whom    TEXT   NOT NULL,
    created_ms bigint NOT NULL
);
