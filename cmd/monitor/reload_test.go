package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/redact"
)

// hits counts the requests a target gets, by path: one path per check.
type hits struct {
	mu sync.Mutex
	at map[string][]time.Time
}

func newHitTarget(t *testing.T) (*hits, *httptest.Server) {
	h := &hits{at: map[string][]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.at[r.URL.Path] = append(h.at[r.URL.Path], time.Now())
		h.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="r"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *hits) times(path string) []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Time(nil), h.at[path]...)
}

// probe is one [[check]] of a test config: it probes targetURL/path without
// credentials every second; extra lines are added to its table.
type probe struct{ name, path, extra string }

func reloadConfig(t *testing.T, file, targetURL string, list ...probe) {
	t.Helper()
	var b strings.Builder
	for _, p := range list {
		if p.path == "" {
			p.path = p.name
		}
		fmt.Fprintf(&b, "[[check]]\nname = %q\nurl = %q\nschedule = \"@every 1s\"\ntimeout = \"2s\"\n%s",
			p.name, targetURL+"/"+p.path, p.extra)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReloadAppliesTheDifference drives reload, the function SIGHUP calls.
func TestReloadAppliesTheDifference(t *testing.T) {
	dir := t.TempDir()
	target, srv := newHitTarget(t)
	path := filepath.Join(dir, "checks.toml")
	reloadConfig(t, path, srv.URL, probe{name: "kept"}, probe{name: "policy", extra: "failure_threshold = 2\n"},
		probe{name: "removed"}, probe{name: "moved"})
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	red := redact.New(cfg.Secrets...)
	a, err := start(context.Background(), cfg, red, filepath.Join(dir, "m.db"), "127.0.0.1:0", newLogger(logs, red))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	waitFor(t, "every check's first run", func() bool { return len(target.times("/removed")) > 0 && len(target.times("/kept")) > 0 })
	ids := entryIDs(a, "kept", "policy", "moved")

	// "policy" gets a new alert threshold, "moved" a new URL.
	reloadConfig(t, path, srv.URL, probe{name: "kept"}, probe{name: "policy", extra: "failure_threshold = 3\n"},
		probe{name: "added"}, probe{name: "moved", path: "moved-v2"})
	if err := a.reload(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // a run of "removed" already started may finish
	removedRuns := len(target.times("/removed"))
	after := entryIDs(a, "kept", "policy", "moved")
	if after["kept"] != ids["kept"] || after["policy"] == ids["policy"] || after["moved"] == ids["moved"] {
		t.Errorf("entries before %v, after %v: want kept the same, policy and moved new", ids, after)
	}
	waitFor(t, "the added and changed checks to run", func() bool {
		return len(target.times("/added")) > 0 && len(target.times("/moved-v2")) > 0 && len(target.times("/kept")) >= 4
	})
	if n := len(target.times("/removed")); n != removedRuns {
		t.Errorf("the removed check ran %d times after the reload", n-removedRuns)
	}
	assertCadence(t, target.times("/kept"))
	if at, err := a.live.lastLoad(); err != nil || time.Since(at) > time.Minute {
		t.Errorf("last load %s, %v", at, err)
	}

	assertBrokenFileRefused(t, a, path, logs)
}

// assertBrokenFileRefused: a file with problems changes nothing, and the
// problems are logged and reported.
func assertBrokenFileRefused(t *testing.T, a *app, path string, logs *syncBuffer) {
	t.Helper()
	before := entryIDs(a, "kept", "policy", "moved")
	os.WriteFile(path, []byte("[[check]]\nname = \"kept\"\nschedul = \"@every 1s\"\n"), 0o600)
	if err := a.reload(); err == nil {
		t.Fatal("a broken file was accepted")
	}
	if _, err := a.live.lastLoad(); err == nil || !strings.Contains(err.Error(), `check[0].schedul: unknown key`) {
		t.Errorf("last load error %v", err)
	}
	if got := entryIDs(a, "kept", "policy", "moved"); !maps.Equal(got, before) || len(a.live.currentChecks()) != 4 {
		t.Errorf("a broken file changed the schedule: %v, %d checks", got, len(a.live.currentChecks()))
	}
	if !strings.Contains(logs.String(), "level=ERROR msg=\"config reload: "+path+":3: check[0].schedul: unknown key") {
		t.Errorf("problem not logged at ERROR:\n%s", logs.String())
	}
}

func entryIDs(a *app, names ...string) map[string]int {
	out := map[string]int{}
	for _, n := range names {
		id, ok := a.sched.EntryID(n)
		if !ok {
			id = -1
		}
		out[n] = int(id)
	}
	return out
}

// assertCadence: an unchanged check ran every second, with no extra run
// from the reload in between.
func assertCadence(t *testing.T, runs []time.Time) {
	t.Helper()
	for i := 1; i < len(runs); i++ {
		if d := runs[i].Sub(runs[i-1]); d < 800*time.Millisecond {
			t.Errorf("runs %d and %d of the unchanged check only %s apart", i-1, i, d)
		}
	}
}

// sighup sends SIGHUP to this process, as `kill -HUP` would to serve.
func sighup(t *testing.T) {
	t.Helper()
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Signal(syscall.SIGHUP)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestReloadEndToEnd: serve, add a check to the file, send SIGHUP, and the
// dashboard lists the new check; a broken file puts a banner up instead.
func TestReloadEndToEnd(t *testing.T) {
	dir := t.TempDir()
	_, srv := newHitTarget(t)
	path := filepath.Join(dir, "checks.toml")
	reloadConfig(t, path, srv.URL, probe{name: "first"})
	m := startMonitor(t, path, filepath.Join(dir, "m.db"))
	defer m.stop(t)
	if page := m.get(t, "/"); !strings.Contains(page, "config loaded at") || strings.Contains(page, "second") {
		t.Fatalf("overview before the reload:\n%s", page)
	}

	reloadConfig(t, path, srv.URL, probe{name: "first"}, probe{name: "second"})
	sighup(t)
	waitFor(t, "the new check on the dashboard", func() bool { return strings.Contains(m.get(t, "/"), `data-check="second"`) })
	waitFor(t, "the new check's first run", func() bool { return strings.Contains(m.get(t, "/checks/second"), `data-testid="run"`) })

	os.WriteFile(path, []byte("[[check]]\nname = \"first\"\n"), 0o600)
	sighup(t)
	waitFor(t, "the reload failure banner", func() bool {
		page := m.get(t, "/")
		return strings.Contains(page, "check[0].url: required") && strings.Contains(page, "still running the previous config") &&
			strings.Contains(page, `data-check="second"`)
	})
}
