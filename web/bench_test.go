package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// benchRun is a passing three-probe run, as a real Basic check records.
func benchRun(check string, at time.Time) checks.Result {
	probe := func(k checks.ProbeKind, status int, ids ...string) checks.ProbeResult {
		p := checks.ProbeResult{Kind: k, Method: "GET", URL: "https://api.example.com/me", Status: status, Latency: 3 * time.Millisecond}
		for _, id := range ids {
			p.Assertions = append(p.Assertions, checks.Assertion{ID: id, Pass: true, Expected: "401", Got: "401 Unauthorized"})
		}
		return p
	}
	return checks.Result{Check: check, Started: at, Duration: 9 * time.Millisecond, Probes: []checks.ProbeResult{
		probe(checks.ProbeValid, 200, "A2"), probe(checks.ProbeMissing, 401, "B1", "C1"), probe(checks.ProbeWrong, 401, "B2", "C5")}}
}

// benchStore opens the benchmark history (AUTHMON_BENCH_DB, or 1,000 checks
// × AUTHMON_BENCH_DAYS days, default 1, built here) and a handler serving it
// with 1,000 configured checks.
func benchStore(b *testing.B) (string, http.Handler) {
	b.Helper()
	path := os.Getenv("AUTHMON_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "seed.db")
	}
	if _, err := os.Stat(path); err != nil {
		s, err := store.Open(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		days := 1
		fmt.Sscan(os.Getenv("AUTHMON_BENCH_DAYS"), &days)
		if err := s.SeedHistory(context.Background(), 1000, days, time.Minute, time.Now().UTC(), benchRun); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	return path, nil
}

func benchHandler(b *testing.B, path string) (*store.Store, http.Handler) {
	s, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	list := make([]checks.Check, 1000)
	for i := range list {
		list[i] = checks.Check{Name: fmt.Sprintf("seed-%04d", i), Method: "GET", URL: "https://api.example.com/me",
			Schedule: "@every 1m", Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeMissing}, {Kind: checks.ProbeWrong}}}
	}
	return s, New(Deps{Store: s, Checks: func() []checks.Check { return list }})
}

func serve(b *testing.B, h http.Handler, target string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", target, w.Code)
	}
}

// benchPage measures a page through the real handler: "cold-ms" is the first
// request after opening the database (no cache of ours, SQLite's page cache
// empty), ns/op the steady state.
func benchPage(b *testing.B, target string) {
	path, _ := benchStore(b)
	s, h := benchHandler(b, path)
	defer s.Close()
	start := time.Now()
	serve(b, h, target)
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "cold-ms")
	b.ResetTimer()
	for b.Loop() {
		serve(b, h, target)
	}
}

func BenchmarkOverviewPage(b *testing.B) { benchPage(b, "/") }

func BenchmarkCheckPage(b *testing.B) { benchPage(b, "/checks/seed-0500") }
