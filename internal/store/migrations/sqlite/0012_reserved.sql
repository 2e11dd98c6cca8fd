-- Reserved: version 12 is the fleet migration, written on another branch at
-- the same time as 0013. This statement-free placeholder keeps the sequence
-- whole until that migration lands and replaces this file.
SELECT 1;
