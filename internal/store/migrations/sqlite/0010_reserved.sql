-- Reserved: version 10 is the runs.location migration, written on another
-- branch at the same time as 0011. This statement-free placeholder keeps the
-- sequence whole until that migration lands and replaces this file.
SELECT 1;
