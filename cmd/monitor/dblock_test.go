package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A second monitor serve on the SQLite file of a running one stops at start
// with an error naming the holder, writes nothing; once the first has
// stopped, the file is free again.
func TestSecondServeOnOneSQLiteFileRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := writeDashConfig(t, dir, "c.toml", "")
	dbPath := filepath.Join(dir, "m.db")
	first := startServe(t, "-config", cfg, "-db", dbPath, "-listen", "127.0.0.1:0")

	var logs syncBuffer
	// Without the lock the second serve would run until this deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := runIO(ctx, []string{"serve", "-config", cfg, "-db", dbPath, "-listen", "127.0.0.1:0"},
		strings.NewReader(""), io.Discard, &logs)
	if code != exitFailed {
		t.Fatalf("second serve exited %d, want %d\n%s", code, exitFailed, logs.String())
	}
	want := "is in use by process " + strconv.Itoa(os.Getpid())
	if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "-db") {
		t.Errorf("second serve's error should say %q and how to fix it:\n%s", want, logs.String())
	}
	if strings.Contains(logs.String(), "dashboard listening") {
		t.Errorf("second serve started its dashboard:\n%s", logs.String())
	}

	first.stop(t)
	again := startServe(t, "-config", cfg, "-db", dbPath, "-listen", "127.0.0.1:0")
	again.stop(t)
}
