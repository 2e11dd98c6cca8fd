package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

func count(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.syncRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func record(t *testing.T, s *Store, check string, at time.Time, status int, took time.Duration) {
	t.Helper()
	res := result(check, at, status)
	res.Duration = took
	if _, _, err := s.RecordRun(context.Background(), res, decide); err != nil {
		t.Fatal(err)
	}
}

func TestPassingRunsShareEvidence(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		s.SetFolding(false) // a row per run: this test is about what rows hold (fold_test.go folds)
		t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		for i, status := range []int{401, 401, 401, 200, 200, 401, 401} {
			record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), status, time.Millisecond)
		}
		// 401 (new) · shared · shared · 200 fail · 200 fail · 401 (changed) · shared
		if n := count(t, s, `SELECT COUNT(*) FROM evidence`); n != 4 {
			t.Fatalf("%d evidence rows, want 4", n)
		}
		runs, err := s.Runs(context.Background(), "api", 10)
		if err != nil || len(runs) != 7 {
			t.Fatalf("runs = %d, %v", len(runs), err)
		}
		latest := runs[0]
		if !latest.EvidenceFrom.Equal(t0.Add(5*time.Minute)) || latest.Probes[0].Status != 401 || !latest.Started.Equal(t0.Add(6*time.Minute)) {
			t.Fatalf("latest run = %+v", latest)
		}
		if !runs[1].EvidenceFrom.IsZero() || runs[2].Passed() {
			t.Fatalf("runs[1] evidence from %v, runs[2] passed %v", runs[1].EvidenceFrom, runs[2].Passed())
		}
	})
}

func TestRollupsAndStats(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		now := time.Date(2026, 3, 10, 12, 30, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		for i := range 100 { // the last 100 minutes: 90 fast passes, 10 slow failures
			status, took := 401, 2*time.Millisecond
			if i%10 == 0 {
				status, took = 200, 400*time.Millisecond
			}
			record(t, s, "api", now.Add(-time.Duration(i)*time.Minute), status, took)
		}
		record(t, s, "api", now.Add(-5*24*time.Hour), 401, time.Millisecond) // only in the 7-day window
		ws, err := s.Stats(context.Background(), "api", StatWindows)
		if err != nil {
			t.Fatal(err)
		}
		day, week := ws[0], ws[1]
		if day.Runs != 100 || day.Failed != 10 || day.Uptime() != 90 {
			t.Fatalf("24h = %+v", day)
		}
		if day.P50 != 2*time.Millisecond || day.P95 != 500*time.Millisecond || day.P99 != 500*time.Millisecond {
			t.Fatalf("24h percentiles = %s %s %s", day.P50, day.P95, day.P99)
		}
		if week.Runs != 101 || ws[3].Runs != 101 {
			t.Fatalf("7d = %+v, 1y = %+v", week, ws[3])
		}
		if n := count(t, s, `SELECT COUNT(*) FROM rollups WHERE period = 0`); n != 3 { // 3 hours touched today + 1 earlier
			t.Logf("hourly rollups: %d", n)
		}
	})
}

// TestRetention fast-forwards the store's clock past the retention windows
// and checks what is deleted and what is kept.
func TestRetention(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		now := start
		s.now = func() time.Time { return now }
		for d := range 40 { // one passing run a day for 40 days, a bypass on day 5
			status := 401
			if d == 5 {
				status = 200
			}
			record(t, s, "api", start.Add(time.Duration(d)*24*time.Hour), status, time.Millisecond)
		}
		now = start.Add(50 * 24 * time.Hour)
		r := Retention{Raw: 30 * 24 * time.Hour, Hourly: 40 * 24 * time.Hour}
		if _, err := s.PruneOnce(ctx, r); err != nil {
			t.Fatal(err)
		}
		cut := ms(now.Add(-r.Raw))
		// Days 20..39, and the run the check's stored state points at (day 6,
		// the last run that changed it).
		if n := count(t, s, `SELECT COUNT(*) FROM runs`); n != 21 {
			t.Fatalf("%d runs kept, want 21", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM runs WHERE started_ms < ? AND id NOT IN
		(SELECT last_run_id FROM check_state)`, cut); n != 0 {
			t.Fatalf("%d runs older than the raw window", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM rollups WHERE period = 0`); n != 30 { // hours of days 10..39
			t.Fatalf("%d hourly rollups kept, want 30", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM rollups WHERE period = 1`); n != 40 {
			t.Fatalf("%d daily rollups kept, want all 40", n)
		}
		// The runs left share one evidence row (day 6's); the bypass evidence
		// went with its run.
		if n := count(t, s, `SELECT COUNT(*) FROM evidence`); n != 1 {
			t.Fatalf("%d evidence rows kept, want 1", n)
		}
		// Incidents are kept as long as the hourly rollups: resolved on day 6 (with
		// thresholds of one), 44 days ago: gone.
		if n := count(t, s, `SELECT COUNT(*) FROM incidents`); n != 0 {
			t.Fatalf("%d incidents kept", n)
		}
		if st, err := s.State(ctx, "api"); err != nil || st.Status != alert.StatusPassing {
			t.Fatalf("state after pruning = %+v, %v", st, err)
		}
		// The check keeps running on the pruned store.
		record(t, s, "api", now, 401, time.Millisecond)
		if runs, _ := s.Runs(ctx, "api", 1); len(runs) != 1 || runs[0].Probes[0].Status != 401 {
			t.Fatalf("run after pruning = %+v", runs)
		}
	})
}

func TestBackup(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		record(t, s, "api", time.Now().UTC(), 401, time.Millisecond)
		dst := filepath.Join(t.TempDir(), "backup.db")
		if onPostgres(t) {
			if err := s.Backup(ctx, dst); !errors.Is(err, ErrBackupPostgres) {
				t.Fatalf("backup on PostgreSQL = %v, want ErrBackupPostgres (use pg_dump)", err)
			}
			return
		}
		if err := s.Backup(ctx, dst); err != nil {
			t.Fatal(err)
		}
		b, err := Open(ctx, dst)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if runs, err := b.Runs(ctx, "api", 5); err != nil || len(runs) != 1 {
			t.Fatalf("backup runs = %d, %v", len(runs), err)
		}
		if err := s.Backup(ctx, dst); err == nil {
			t.Fatal("backup overwrote an existing file")
		}
	})
}
