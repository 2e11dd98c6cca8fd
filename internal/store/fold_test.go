package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// rowRuns reads every row of a check, newest first, as (first run, runs).
func rowRuns(t *testing.T, s *Store, check string) []Run {
	t.Helper()
	page, err := s.RunsPage(context.Background(), check, RunQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return page.Runs
}

func sumRuns(rows []Run) (n int64) {
	for _, r := range rows {
		n += r.Runs()
	}
	return n
}

// TestFoldRepeatedPasses: passing runs that repeat the row before them are
// counted in it, within its hour; a failure, new evidence or the next hour
// starts a row; the rollups still count every run and their latencies, and
// a page from a time inside a row finds it. PostgreSQL keeps a row per run.
func TestFoldRepeatedPasses(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		s.now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
		t0 := time.Date(2026, 3, 1, 10, 40, 0, 0, time.UTC)
		// 10:40..10:59 pass (20 runs), 11:00..11:04 pass (5: next hour),
		// 11:05 fails, 11:06..11:09 pass (4), each a minute apart.
		for i := range 30 {
			status := 401
			if i == 25 {
				status = 200
			}
			record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), status, time.Duration(i+1)*time.Millisecond)
			if i == 3 {
				before, err := s.LatestRunID(ctx)
				if err != nil {
					t.Fatal(err)
				}
				record(t, s, "other", t0, 401, time.Millisecond) // LatestRunID moves with any run
				record(t, s, "other", t0.Add(time.Minute), 401, time.Millisecond)
				after, err := s.LatestRunID(ctx)
				if err != nil || after != before+2 {
					t.Fatalf("latest run id %d after two runs, was %d (%v)", after, before, err)
				}
			}
		}
		rows := rowRuns(t, s, "api")
		if n := sumRuns(rows); n != 30 {
			for _, r := range rows {
				t.Logf("row %d %v ×%d %v", r.ID, r.Started, r.Runs(), r.LastStarted)
			}
			t.Fatalf("rows stand for %d runs, want 30", n)
		}
		if s.Shared() {
			if len(rows) != 30 {
				t.Fatalf("PostgreSQL: %d rows for 30 runs", len(rows))
			}
		} else {
			type want struct {
				first, last int // minutes after t0
				runs        int64
				passed      bool
				slowest     time.Duration
			}
			wants := []want{{26, 29, 4, true, 30 * time.Millisecond}, {25, 25, 1, false, 0},
				{20, 24, 5, true, 25 * time.Millisecond}, {0, 19, 20, true, 20 * time.Millisecond}}
			if len(rows) != len(wants) {
				t.Fatalf("%d rows, want %d: %+v", len(rows), len(wants), rows)
			}
			for i, w := range wants {
				r := rows[i]
				last := r.Started
				if r.Repeats > 0 {
					last = r.LastStarted
				}
				if !r.Started.Equal(t0.Add(time.Duration(w.first)*time.Minute)) || !last.Equal(t0.Add(time.Duration(w.last)*time.Minute)) ||
					r.Runs() != w.runs || r.Passed() != w.passed || r.Repeats > 0 && r.MaxDuration != w.slowest {
					t.Errorf("row %d = %v..%v ×%d passed %v slowest %v, want %+v", i, r.Started, last, r.Runs(), r.Passed(), r.MaxDuration, w)
				}
			}
			// A page from 10:50 to 11:02 holds the rows that reach into it.
			page, err := s.RunsPage(ctx, "api", RunQuery{From: t0.Add(10 * time.Minute), To: t0.Add(22 * time.Minute), Limit: 10})
			if err != nil || len(page.Runs) != 2 || page.Runs[1].ID != rows[3].ID || page.Runs[0].ID != rows[2].ID {
				t.Fatalf("page 10:50..11:02 = %+v, %v", page.Runs, err)
			}
			// The marks of the overview's bar: one per run, newest first.
			marks, err := s.RunMarks(ctx, []string{"api"}, 8)
			if err != nil || len(marks["api"]) != 8 || marks["api"][3].ID != rows[0].ID || marks["api"][4].Passed ||
				marks["api"][5].ID != rows[2].ID || marks["api"][5].Runs != 5 {
				t.Fatalf("marks = %+v, %v", marks["api"], err)
			}
		}
		// A check's line says when its latest run started, folded or not.
		sum, err := s.Summary(ctx, "api")
		if err != nil || !sum.Last.Started.Equal(t0.Add(29*time.Minute)) {
			t.Fatalf("summary's last run %+v, %v", sum.Last, err)
		}
		ov, err := s.Overview(ctx)
		if err != nil || len(ov) != 2 || !ov[0].Last.Started.Equal(t0.Add(29*time.Minute)) || ov[0].Last.ID != sum.Last.ID {
			t.Fatalf("overview %+v, %v", ov, err)
		}
		w, err := s.Stats(ctx, "api", []time.Duration{24 * time.Hour})
		if err != nil || w[0].Runs != 30 || w[0].Failed != 1 {
			t.Fatalf("stats = %+v, %v", w, err)
		}
		b, err := s.Series(ctx, "api", time.Hour, t0.Truncate(time.Hour), t0.Add(time.Hour))
		if err != nil || len(b) < 2 || b[0].Runs != 20 || b[1].Runs != 10 {
			t.Fatalf("hourly series = %+v, %v", b, err)
		}
	})
}

// TestFoldingOff: [storage] fold_repeats = false keeps a row per run.
func TestFoldingOff(t *testing.T) {
	s, _ := openTemp(t)
	s.SetFolding(false)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		record(t, s, "api", t0.Add(time.Duration(i)*time.Second), 401, time.Millisecond)
	}
	if rows := rowRuns(t, s, "api"); len(rows) != 5 || sumRuns(rows) != 5 {
		t.Fatalf("%d rows for 5 runs: %+v", len(rows), rows)
	}
}

// TestFoldsSurviveARestartAndACrash: a clean stop writes every folded run;
// a crash loses only the folded runs not written yet, and the rollups lose
// the same ones, so rows and rollups still agree; failures are never lost.
func TestFoldsSurviveARestartAndACrash(t *testing.T) {
	defer func(d time.Duration) { rollupEvery = d }(rollupEvery)
	rollupEvery = time.Hour // nothing is written behind the test's back
	ctx := context.Background()
	s, path := openTemp(t)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), 401, time.Millisecond)
	}
	s.Close()
	if s, _ = reopen(t, path, s.now); sumRuns(rowRuns(t, s, "api")) != 10 {
		t.Fatalf("after a restart the rows stand for %d runs, want 10", sumRuns(rowRuns(t, s, "api")))
	}
	// Written by the reader above; then a failure, and passes pending
	// when the process dies.
	record(t, s, "api", t0.Add(10*time.Minute), 200, time.Millisecond)
	for i := 11; i < 20; i++ {
		record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), 401, time.Millisecond)
	}
	image := filepath.Join(t.TempDir(), "crashed.db")
	copyDB(t, path, image)
	s.Close()

	c, _ := reopen(t, image, s.now)
	rows := rowRuns(t, c, "api")
	w, err := c.Stats(ctx, "api", []time.Duration{24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if w[0].Runs != sumRuns(rows) || w[0].Failed != 1 {
		t.Fatalf("after the crash the rows stand for %d runs and the rollups count %+v: they must agree, with the failure",
			sumRuns(rows), w[0])
	}
	// The runs since the last write: the failure and the pass after it
	// have rows; the eight folded passes after them were in memory.
	if got := sumRuns(rows); got != 12 {
		t.Fatalf("after the crash: %d runs, want 12 (8 folded passes lost with their rollups)", got)
	}
}

func reopen(t *testing.T, path string, now func() time.Time) (*Store, string) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.now = now
	t.Cleanup(func() { s.Close() })
	return s, path
}

// TestPruneKeepsARowWhileItsRunsAreYoung: a row goes only once its newest
// folded run is older than raw retention.
func TestPruneKeepsARowWhileItsRunsAreYoung(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range 4 { // one row: 10:00..10:45
		record(t, s, "api", t0.Add(time.Duration(i)*15*time.Minute), 401, time.Millisecond)
	}
	record(t, s, "api", t0.Add(time.Hour), 200, time.Millisecond) // the newest row, kept
	for _, c := range []struct {
		now  time.Time
		rows int
	}{{t0.Add(24*time.Hour + 30*time.Minute), 2}, {t0.Add(24*time.Hour + 50*time.Minute), 1}} {
		s.now = func() time.Time { return c.now }
		if _, err := s.PruneOnce(ctx, Retention{Raw: 24 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = db.QueryRow(`SELECT COUNT(*) FROM runs`).Scan(&n)
		db.Close()
		if err != nil || n != c.rows {
			t.Fatalf("at %v: %d rows, want %d (%v)", c.now, n, c.rows, err)
		}
	}
}

// TestFlushGap: the gap between writes of the pending rollups is a second
// while they are quick, twenty times their length when they are not, and
// never more than ten seconds (what a crash may lose of folded runs).
func TestFlushGap(t *testing.T) {
	for took, want := range map[time.Duration]time.Duration{
		0: time.Second, 20 * time.Millisecond: time.Second, 200 * time.Millisecond: 4 * time.Second,
		2 * time.Second: 10 * time.Second,
	} {
		if got := nextFlushGap(time.Second, took); got != want {
			t.Errorf("after a write of %v: gap %v, want %v", took, got, want)
		}
	}
}

// TestFoldTailAfterToggleAndLateRun: a row written while folding is off
// ends the fold, so turning it back on never folds runs into a row older
// than the check's latest; and a run recorded late gets its own row but
// leaves the fold on the check's latest row.
func TestFoldTailAfterToggleAndLateRun(t *testing.T) {
	s, _ := openTemp(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	record(t, s, "api", at(0), 401, time.Millisecond)
	record(t, s, "api", at(1), 401, time.Millisecond)
	s.SetFolding(false)
	record(t, s, "api", at(2), 401, time.Millisecond)
	s.SetFolding(true)
	record(t, s, "api", at(3), 401, time.Millisecond)
	record(t, s, "api", at(4), 401, time.Millisecond)
	record(t, s, "api", at(5), 401, time.Millisecond)
	record(t, s, "api", at(4), 401, time.Millisecond) // recorded late: a row of its own
	record(t, s, "api", at(6), 401, time.Millisecond)
	type row struct {
		first, last int
		runs        int64
	}
	var got []row
	for _, r := range rowRuns(t, s, "api") {
		last := r.Started
		if r.Repeats > 0 {
			last = r.LastStarted
		}
		got = append(got, row{int(r.Started.Sub(t0) / time.Second), int(last.Sub(t0) / time.Second), r.Runs()})
	}
	want := []row{{4, 4, 1}, {3, 6, 4}, {2, 2, 1}, {0, 1, 2}}
	if len(got) != len(want) {
		t.Fatalf("rows %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("rows %+v, want %+v", got, want)
		}
	}
}
