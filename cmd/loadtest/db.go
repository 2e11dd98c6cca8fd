package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
)

// dbFacts is what the database file holds once the store is closed.
type dbFacts struct {
	runs  int64            // every recorded run, warm-up included (a folded row counts its runs)
	bytes map[string]int64 // bytes per table and index (dbstat)
}

// readDB counts the runs the database file holds, read-only, so that
// "executed" means stored, not merely acknowledged, and says which tables
// and indexes the bytes are in.
func readDB(ctx context.Context, path string) (dbFacts, error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return dbFacts{}, fmt.Errorf("read db: %w", err)
	}
	defer db.Close()
	f := dbFacts{bytes: map[string]int64{}}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(SUM(1 + repeats), 0) FROM runs`).Scan(&f.runs); err != nil {
		return dbFacts{}, fmt.Errorf("read db: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT name, SUM(pgsize) FROM dbstat GROUP BY name`)
	if err != nil {
		return dbFacts{}, fmt.Errorf("read db: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return dbFacts{}, fmt.Errorf("read db: %w", err)
		}
		f.bytes[name] = n
	}
	return f, rows.Err()
}
