package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/redact"
)

// TestFoldRepeatsKey: [storage] fold_repeats = false keeps a row per run
// in a real serve; a reload that leaves the key out (on by default) folds
// the passes that follow into one row.
func TestFoldRepeatsKey(t *testing.T) {
	dir := t.TempDir()
	target, srv := newHitTarget(t)
	path := filepath.Join(dir, "checks.toml")
	write := func(storage string) {
		reloadConfig(t, path, srv.URL, probe{name: "api"})
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(path, append([]byte(storage), b...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[storage]\nfold_repeats = false\n")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	red := redact.New(cfg.Secrets...)
	a, err := start(context.Background(), cfg, red, filepath.Join(dir, "m.db"), "127.0.0.1:0", newLogger(&syncBuffer{}, red))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	waitFor(t, "three runs", func() bool { return len(target.times("/api")) >= 3 })
	runs, err := a.store.Runs(context.Background(), "api", 100)
	if err != nil || len(runs) < 3 {
		t.Fatalf("fold_repeats = false: %d rows for %d runs (%v)", len(runs), len(target.times("/api")), err)
	}
	for _, r := range runs {
		if r.Repeats != 0 || !r.Passed() {
			t.Fatalf("fold_repeats = false: run %d folds %d runs, passed %v", r.ID, r.Repeats, r.Passed())
		}
	}

	write("")
	if err := a.reload(); err != nil {
		t.Fatal(err)
	}
	before := len(target.times("/api"))
	waitFor(t, "three runs after the reload", func() bool { return len(target.times("/api")) >= before+3 })
	runs, err = a.store.Runs(context.Background(), "api", 1)
	if err != nil || len(runs) != 1 || runs[0].Repeats < 1 {
		var repeats int64 = -1
		if len(runs) == 1 {
			repeats = runs[0].Repeats
		}
		t.Fatalf("fold_repeats on: the newest row folds %d runs (%v), want later passes folded into it", repeats, err)
	}
}
