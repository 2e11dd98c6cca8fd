package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/authmon/monitor/internal/store"
)

// backupCmd handles `monitor backup [-db FILE] PATH`: an online, consistent
// copy of the database, safe while `serve` runs.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("backup", stderr)
	dbPath := fs.String("db", envOr("AUTHMON_DB", "monitor.db"), "SQLite file (env AUTHMON_DB)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: monitor backup [-db FILE] PATH")
		return exitConfig
	}
	start := time.Now()
	if err := store.BackupFile(ctx, *dbPath, fs.Arg(0)); err != nil {
		fmt.Fprintln(stderr, "monitor backup:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "backed up %s to %s in %s\n", *dbPath, fs.Arg(0), time.Since(start).Round(time.Millisecond))
	return exitOK
}
