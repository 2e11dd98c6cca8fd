package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// overviewBenchDB is the history BenchmarkOverview reads: AUTHMON_BENCH_DB
// (the 30-day store of docs/performance.md; opening it applies any pending
// migration) or, without it, 1,000 checks with a day of runs every ten
// minutes, built here in a few seconds.
func overviewBenchDB(b *testing.B) string {
	b.Helper()
	if path := os.Getenv("AUTHMON_BENCH_DB"); path != "" {
		path, _ := benchStore(b)
		return path
	}
	path := filepath.Join(b.TempDir(), "overview.db")
	s, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.SeedHistory(context.Background(), 1000, 1, 10*time.Minute, time.Now().UTC(), benchRun); err != nil {
		b.Fatal(err)
	}
	return path
}

// overviewBenchChecks are the 1,000 seeded checks as a config would list
// them: in ten groups, every third without one.
func overviewBenchChecks() []checks.Check {
	list := make([]checks.Check, 1000)
	for i := range list {
		group := ""
		if i%3 != 0 {
			group = fmt.Sprintf("team-%d", i%10)
		}
		list[i] = checks.Check{Name: fmt.Sprintf("seed-%04d", i), Group: group, Method: "GET",
			URL: "https://api.example.com/me", Schedule: "@every 1m",
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeMissing}, {Kind: checks.ProbeWrong}}}
	}
	return list
}

func openOverview(b *testing.B, path string) (*store.Store, http.Handler) {
	b.Helper()
	s, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	list := overviewBenchChecks()
	return s, New(Deps{Store: s, Checks: func() []checks.Check { return list }})
}

// BenchmarkOverview measures the overview page through the real handler,
// cold: every operation opens the store (SQLite's page cache empty, nothing
// of ours cached) and times its first request only. The file stays in the
// operating system's cache, as it does on a running monitor.
//
// It also reports cpu-ms/op, the process's CPU time (all threads) during
// the timed requests: on a busy machine the wall time waits for a core, the
// CPU time does not.
func BenchmarkOverview(b *testing.B) { benchOverviewCold(b, "/") }

// BenchmarkOverviewFiltered is one group's failing checks, cold.
func BenchmarkOverviewFiltered(b *testing.B) { benchOverviewCold(b, "/?state=failing&group=team-4") }

func benchOverviewCold(b *testing.B, target string) {
	path := overviewBenchDB(b)
	warmUp(b, path)
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s, h := openOverview(b, path)
		before := cpuTime()
		b.StartTimer()
		serve(b, h, target)
		b.StopTimer()
		cpu += cpuTime() - before
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the user and system CPU time of the whole process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOverviewWarm is the same page served again and again by one
// store: a dashboard left open.
func BenchmarkOverviewWarm(b *testing.B) {
	s, h := openOverview(b, overviewBenchDB(b))
	defer s.Close()
	serve(b, h, "/")
	b.ResetTimer()
	for b.Loop() {
		serve(b, h, "/")
	}
}

// warmUp serves the page once, outside the timing: opening the store the
// first time may apply migrations, and the file enters the OS cache.
func warmUp(b *testing.B, path string) {
	s, h := openOverview(b, path)
	defer s.Close()
	serve(b, h, "/")
}
