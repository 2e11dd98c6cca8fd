-- A compact copy of each evidence row's verdict: per probe its kind and only
-- the failed assertions. The overview reads this instead of decoding the
-- full evidence of every check. Empty for older rows (read in full).
ALTER TABLE evidence ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
