package store_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// lockoutTarget is a Basic-protected resource on loopback that counts the
// failed logins of "alice", as a directory's lockout counter does.
func lockoutTarget(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var failed atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if ok && user == "alice" && pass == "right-password" {
			w.Write([]byte("ok"))
			return
		}
		if ok && user == "alice" {
			failed.Add(1)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="t"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv, &failed
}

func aliceCheck(name, url string) checks.Check {
	return checks.Check{Name: name, URL: url, Timeout: 2 * time.Second, FailedLogins: checks.LoginLimit{Max: 4, Window: time.Hour},
		Auth:   checks.Credential{Kind: checks.AuthBasic, Username: "alice", Password: "right-password"},
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeWrong}}}
}

// runMonitor opens the store at path as the monitor does at start, runs
// the checks runs times each, and closes the store: one life of a process.
func runMonitor(t *testing.T, path string, now func() time.Time, runs int, chs ...checks.Check) checks.Result {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := st.LoginBudget(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	rn := checks.NewRunner(checks.NewClient(2), b, nil)
	var last checks.Result
	for range runs {
		for _, ch := range chs {
			last = rn.Run(ctx, ch)
		}
	}
	return last
}

// TestBudgetSurvivesRestarts (item 10): the budget lives in the store, so
// a monitor restarted again and again (a crash loop) sends no more failed
// logins for an account than the budget, across all its checks.
func TestBudgetSurvivesRestarts(t *testing.T) {
	store.Engines(t, func(t *testing.T) {
		srv, failed := lockoutTarget(t)
		path := store.TempDB(t)
		t0 := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
		now := func() time.Time { return t0 }
		a, b := aliceCheck("a", srv.URL+"/a"), aliceCheck("b", srv.URL+"/b")
		var last checks.Result
		for range 5 { // five lives, each running both checks three times
			last = runMonitor(t, path, now, 3, a, b)
		}
		if n := failed.Load(); n != 4 {
			t.Fatalf("the target saw %d failed logins for alice over 5 restarts, want the budget's 4", n)
		}
		p := last.Probes[1]
		want := `skipped: failed-login budget for user "alice" exhausted, 4/4 in the last hour, resets at 15:00:00 UTC`
		if p.Kind != checks.ProbeWrong || p.Skipped != want {
			t.Fatalf("probe %s skipped %q, want %q", p.Kind, p.Skipped, want)
		}
		later := func() time.Time { return t0.Add(time.Hour + time.Second) }
		runMonitor(t, path, later, 1, a)
		if n := failed.Load(); n != 5 {
			t.Fatalf("after the window: %d failed logins, want 5", n)
		}
	})
}

// TestBudgetConcurrentSpends: checks running at once never overspend an
// account together.
func TestBudgetConcurrentSpends(t *testing.T) {
	store.Engines(t, func(t *testing.T) {
		ctx := context.Background()
		st, err := store.Open(ctx, store.TempDB(t))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		b, err := st.LoginBudget(ctx, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		lim := checks.LoginLimit{Max: 7, Window: time.Hour}
		var granted atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				if _, ok, err := b.Spend(ctx, []string{"Bob", "bob "}[i%2], 1, lim, "c"); err == nil && ok {
					granted.Add(1)
				}
			})
		}
		wg.Wait()
		s, err := b.State(ctx, "BOB", lim)
		if granted.Load() != 7 || s.Used != 7 || !s.Exhausted() || !strings.Contains(s.String(), "7/7 in the last hour") {
			t.Fatalf("granted %d, state %+v (%s); want 7 of 7", granted.Load(), s, s)
		}
	})
}
