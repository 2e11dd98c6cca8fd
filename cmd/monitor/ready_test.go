package main

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/redact"
)

// TestReadiness: ready while running; not ready, with the reason, when
// another process holds the database's write lock or the scheduler stopped.
func TestReadiness(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Load(writeDashConfig(t, dir, "checks.toml", ""))
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "m.db")
	logs := &syncBuffer{}
	red := redact.New(cfg.Secrets...)
	a, err := start(context.Background(), cfg, red, dbPath, "127.0.0.1:0", newLogger(logs, red))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	ctx := context.Background()
	if err := a.ready(ctx); err != nil {
		t.Fatalf("a started monitor is not ready: %v", err)
	}

	// busy_timeout: the monitor may be writing (a run, maintenance) at the
	// moment this process asks for the lock; it must wait, not fail.
	other, err := sql.Open("sqlite", "file:"+(&url.URL{Path: dbPath}).EscapedPath()+"?_txlock=immediate&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = a.ready(ctx)
	if err == nil || err.Error() != "database not writable" || time.Since(start) > readyTimeout+time.Second {
		t.Errorf("locked database: %v after %s", err, time.Since(start))
	}
	tx.Rollback()
	if !strings.Contains(logs.String(), "not ready: database not writable") {
		t.Error("the cause is not logged")
	}

	a.sched.Stop(time.Second)
	if err := a.ready(ctx); err == nil || err.Error() != "scheduler not running" {
		t.Errorf("stopped scheduler: %v", err)
	}
}
