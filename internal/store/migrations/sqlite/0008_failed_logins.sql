-- One row per failed login the monitor caused, so that a restart, a crash
-- loop or a reload never resets an account's failed-login budget.
CREATE TABLE failed_logins (
    id         INTEGER PRIMARY KEY,
    account    TEXT    NOT NULL, -- checks.AccountKey of the user name sent
    at_ms      INTEGER NOT NULL,
    check_name TEXT    NOT NULL
);
CREATE INDEX failed_logins_by_account ON failed_logins (account, at_ms);
