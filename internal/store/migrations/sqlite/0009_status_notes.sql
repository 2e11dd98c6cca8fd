-- Notes a person writes for the public status page: what customers are
-- told about an incident. Who wrote each, and when, stays here; the public
-- page shows the time and the text only.
CREATE TABLE status_notes (
    id         INTEGER PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    author     TEXT    NOT NULL,
    component  TEXT    NOT NULL, -- a component's customer-facing name; '' for every component
    phase      TEXT    NOT NULL, -- investigating, identified, monitoring or resolved
    body       TEXT    NOT NULL
);
CREATE INDEX status_notes_by_time ON status_notes (created_ms);
