package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/pgtest"
)

// passingRun is a realistic passing run: three probes, a Basic challenge.
func passingRun(check string, at time.Time) checks.Result {
	ch := []checks.Challenge{{Scheme: "Basic", Params: []checks.Param{{Name: "realm", Value: "api", Quoted: true}}}}
	probe := func(k checks.ProbeKind, status int, ids ...string) checks.ProbeResult {
		p := checks.ProbeResult{Kind: k, Method: "GET", URL: "https://api.example.com/me", Status: status,
			StatusText: "Unauthorized", Latency: 3 * time.Millisecond}
		if status == 401 {
			p.Challenges, p.ChallengeRaw = ch, []string{`Basic realm="api"`}
		}
		for _, id := range ids {
			p.Assertions = append(p.Assertions, checks.Assertion{ID: id, Ref: "RFC 9110 §11.4", Pass: true,
				Expected: "401", Got: "401 Unauthorized", Reason: "as expected"})
		}
		return p
	}
	return checks.Result{Check: check, Started: at, Duration: 9 * time.Millisecond, Probes: []checks.ProbeResult{
		probe(checks.ProbeValid, 200, "A2"), probe(checks.ProbeMissing, 401, "B1", "C1", "C2", "C4"),
		probe(checks.ProbeWrong, 401, "B2", "C5", "C2", "C4")}}
}

func benchDecide(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
	return alert.Decide(prev, res, runID, alert.DefaultPolicy())
}

// BenchmarkRecordRun measures the write path as the scheduler drives it:
// many checks finishing at once, each call waiting for its commit.
// Reports runs/s and the database's bytes per run, on each engine.
func BenchmarkRecordRun(b *testing.B) {
	benchEngines(b, benchRecordRun)
	// A row per run: the cost of runs that change, or with fold_repeats off.
	b.Run("sqlite-unfolded", func(b *testing.B) { benchRecord(b, filepath.Join(b.TempDir(), "bench.db"), false) })
}

// benchEngines runs bench on a fresh SQLite file and a fresh PostgreSQL
// database (pgtest).
func benchEngines(b *testing.B, bench func(b *testing.B, db string)) {
	b.Run("sqlite", func(b *testing.B) { bench(b, filepath.Join(b.TempDir(), "bench.db")) })
	b.Run("postgres", func(b *testing.B) { bench(b, pgtest.DB(b)) })
}

func benchRecordRun(b *testing.B, db string) { benchRecord(b, db, true) }

// benchRecord records b.N passing runs of 1,000 checks, a minute apart for
// each check; fold says whether repeats fold (SQLite: about 60 runs a row).
func benchRecord(b *testing.B, db string, fold bool) {
	s, err := Open(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.SetFolding(fold)
	const writers = 256 // concurrent runs finishing, as with 1,000 checks a second
	var next atomic.Int64
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				check := fmt.Sprintf("check-%04d", int(i)%1000)
				at := t0.Add(time.Duration(i/1000) * time.Minute).Add(time.Duration(w) * time.Millisecond)
				if _, _, err := s.RecordRun(context.Background(), passingRun(check, at), benchDecide); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	if b.N >= 10000 {
		b.ReportMetric(float64(s.sizeBytes(b))/float64(b.N), "B/run")
	}
}

// sizeBytes is the database's size: the file after a checkpoint, or the
// tables and indexes on PostgreSQL.
func (s *Store) sizeBytes(b *testing.B) int64 {
	if s.dial == Postgres {
		var n int64
		if err := s.r.QueryRow(`SELECT SUM(pg_total_relation_size(c.oid))::bigint FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = 'public' AND c.relkind = 'r'`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	fi, _ := os.Stat(s.path)
	return fi.Size()
}

// seeded opens the benchmark history: the database named by
// AUTHMON_BENCH_DB if it exists (build it once with `go test ./internal/store
// -run TestSeedBenchDB`, see docs/performance.md), else a smaller history
// built here: 1,000 checks, AUTHMON_BENCH_DAYS days (default 1) at one run a
// minute. On PostgreSQL (the /postgres sub-benchmarks) it is always built.
func seeded(b *testing.B, db string) *Store {
	b.Helper()
	path := os.Getenv("AUTHMON_BENCH_DB")
	if path == "" || IsPostgres(db) {
		path = db
	}
	_, statErr := os.Stat(path)
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if statErr != nil {
		days := 1
		fmt.Sscan(os.Getenv("AUTHMON_BENCH_DAYS"), &days)
		if err := s.SeedHistory(context.Background(), 1000, days, time.Minute, time.Now().UTC(), passingRun); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkOverviewQuery(b *testing.B) { benchEngines(b, benchOverviewQuery) }

func benchOverviewQuery(b *testing.B, db string) {
	s := seeded(b, db)
	b.ResetTimer()
	for b.Loop() {
		if sums, err := s.Overview(context.Background()); err != nil || len(sums) != 1000 {
			b.Fatalf("overview: %d, %v", len(sums), err)
		}
	}
}

func BenchmarkCheckDetailQuery(b *testing.B) { benchEngines(b, benchCheckDetailQuery) }

func benchCheckDetailQuery(b *testing.B, db string) {
	s := seeded(b, db)
	b.ResetTimer()
	for b.Loop() {
		if runs, err := s.Runs(context.Background(), "seed-0500", 50); err != nil || len(runs) != 50 {
			b.Fatalf("runs: %d, %v", len(runs), err)
		}
		if _, err := s.Stats(context.Background(), "seed-0500", StatWindows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePendingRollups measures the timed write of the pending
// rollups at 1,000 checks (an hour and a day each, stored already: the
// upserts update), without the latest rows and strips. Each check has 100
// older hours, so that, as in a store with history, the rows written are on
// different pages. The writer goroutine is idle meanwhile (no runs, and
// its timed write an hour away): the benchmark fills s.pending and writes
// it itself.
func BenchmarkWritePendingRollups(b *testing.B) {
	defer func(d time.Duration) { rollupEvery = d }(rollupEvery)
	rollupEvery = time.Hour
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 1000 {
		wg.Go(func() {
			if _, _, err := s.RecordRun(context.Background(), passingRun(fmt.Sprintf("check-%04d", i), t0), benchDecide); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	if err := s.syncRollups(context.Background()); err != nil {
		b.Fatal(err)
	}
	if _, err := s.w.Exec(`WITH RECURSIVE h(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM h WHERE n < 100)
		INSERT INTO rollups SELECT check_id, period, start_ms - n * 3600000, runs, failures, lat_min, lat_max,
		lat_sum, hist FROM rollups, h WHERE period = 0`); err != nil {
		b.Fatal(err)
	}
	rolls := map[rollKey]*rollAgg{}
	for slot, c := range s.rollups {
		rolls[rollKey{check: slot.check, period: slot.period, start: c.start}] = c.agg
	}
	if len(rolls) != 2000 {
		b.Fatalf("%d rollups, want 2000", len(rolls))
	}
	b.ResetTimer()
	for b.Loop() {
		for k, a := range rolls {
			s.pending[k] = a
		}
		if err := s.writePending(false); err != nil {
			b.Fatal(err)
		}
	}
}
