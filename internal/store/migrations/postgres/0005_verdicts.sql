-- Part of 0001_init.sql: PostgreSQL support began at schema version 11.
SELECT 1;
