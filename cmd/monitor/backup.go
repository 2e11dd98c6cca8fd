package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/authmon/monitor/internal/store"
)

// backupCmd handles `monitor backup [-db FILE] PATH`: an online, consistent
// copy of the SQLite database, safe while `serve` runs. A PostgreSQL
// database is refused with how to back it up (pg_dump).
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("backup", stderr)
	dbFlagValue := dbFlag(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: monitor backup [-db FILE] PATH")
		return exitConfig
	}
	dbPath := resolveDB(*dbFlagValue, nil)
	if store.IsPostgres(dbPath) {
		fmt.Fprintf(stderr, "monitor backup: %s is a PostgreSQL database: back it up with pg_dump "+
			"(pg_dump -Fc -d URL -f authmon.dump; restore with pg_restore -d URL authmon.dump); "+
			"monitor backup copies SQLite files only\n", store.Redact(dbPath))
		return exitConfig
	}
	start := time.Now()
	if err := store.BackupFile(ctx, dbPath, fs.Arg(0)); err != nil {
		fmt.Fprintln(stderr, "monitor backup:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "backed up %s to %s in %s\n", dbPath, fs.Arg(0), time.Since(start).Round(time.Millisecond))
	return exitOK
}
