package store

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// copyDB copies a SQLite database and its WAL as a crash would leave them:
// what was committed, nothing that was only in memory.
func copyDB(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		src, err := os.Open(from + suffix)
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(to + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}

// figures is what a user sees of the check's history: its stats, hours,
// overview line and recent-history strip.
type figures struct {
	stats    []Window
	buckets  []Bucket
	overview []CheckSummary
	recent   []CheckRecent
}

func rollupFigures(t *testing.T, s *Store) ([]Window, []Bucket) {
	t.Helper()
	f := allFigures(t, s)
	return f.stats, f.buckets
}

func allFigures(t *testing.T, s *Store) figures {
	t.Helper()
	ctx := context.Background()
	o, err := s.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Recent(ctx, s.now())
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Stats(ctx, "api", []time.Duration{24 * time.Hour, 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Series(ctx, "api", time.Hour, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return figures{w, b, o, r}
}

// TestRollupsSurviveACrash: rollups still in the writer's memory when the
// process dies are rebuilt from the runs at the next Open, once: neither
// lost nor counted twice, also over later restarts.
func TestRollupsSurviveACrash(t *testing.T) {
	defer func(d time.Duration) { rollupEvery = d }(rollupEvery)
	rollupEvery = time.Hour // nothing is written behind the test's back
	ctx := context.Background()
	s, path := openTemp(t)
	s.SetFolding(false) // a row per run: this test is about what rows hold (fold_test.go folds)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	t0 := time.Date(2026, 3, 1, 10, 40, 0, 0, time.UTC)
	for i := range 10 { // written by a reader's sync below
		record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), []int{401, 200}[i%3/2], time.Duration(i+1)*time.Millisecond)
	}
	if _, err := s.Stats(ctx, "api", StatWindows); err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 25; i++ { // across the hour, pending when the process dies
		record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), []int{401, 200}[i%4/3], time.Duration(i+1)*time.Millisecond)
	}
	image := filepath.Join(t.TempDir(), "crashed.db")
	copyDB(t, path, image)
	want := allFigures(t, s)
	wantW, wantB := want.stats, want.buckets
	if wantW[0].Runs != 25 || wantW[0].Failed != 3+4 {
		t.Fatalf("before the crash: %+v", wantW[0])
	}

	db, err := sql.Open("sqlite", "file:"+image)
	if err != nil {
		t.Fatal(err)
	}
	var mark, last int64
	if err := db.QueryRow(`SELECT (SELECT run_id FROM rollup_mark), (SELECT MAX(id) FROM runs)`).Scan(&mark, &last); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if last-mark != 15 {
		t.Fatalf("the crashed image counts runs up to %d of %d in its rollups: want 15 left out", mark, last)
	}

	for restart := range 3 {
		c, err := Open(ctx, image)
		if err != nil {
			t.Fatal(err)
		}
		c.now = s.now
		gotW, gotB := rollupFigures(t, c)
		if restart == 0 {
			got := allFigures(t, c)
			if !reflect.DeepEqual(got.overview, want.overview) || !reflect.DeepEqual(got.recent, want.recent) {
				t.Fatalf("overview after the crash:\n%+v\n%+v\nwant\n%+v\n%+v", got.overview, got.recent, want.overview, want.recent)
			}
		}
		if !reflect.DeepEqual(gotW, wantW) || !reflect.DeepEqual(gotB, wantB) {
			t.Fatalf("open %d after the crash:\n%+v\n%+v\nwant\n%+v\n%+v", restart, gotW, gotB, wantW, wantB)
		}
		if restart == 1 { // one more run, then a clean stop
			record(t, c, "api", t0.Add(30*time.Minute), 401, 7*time.Millisecond)
			wantW, wantB = rollupFigures(t, c)
			if wantW[0].Runs != 26 {
				t.Fatalf("after one more run: %+v", wantW[0])
			}
		}
		c.Close()
	}
}

// TestLatestRowsSurviveACrash: the timed write stores the rollups every
// second but the latest rows and strips less often; a crash between leaves
// those behind the rollups, and Open rebuilds them from the runs past their
// own mark, so the overview shows what it showed before the crash.
func TestLatestRowsSurviveACrash(t *testing.T) {
	defer func(r, l time.Duration) { rollupEvery, latestEvery = r, l }(rollupEvery, latestEvery)
	rollupEvery, latestEvery = 20*time.Millisecond, time.Hour
	ctx := context.Background()
	s, path := openTemp(t)
	s.now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	t0 := time.Date(2026, 3, 1, 10, 40, 0, 0, time.UTC)
	if _, err := s.Overview(ctx); err != nil { // a full write: the latest mark starts here
		t.Fatal(err)
	}
	for i := range 12 {
		record(t, s, []string{"api", "idp"}[i%2], t0.Add(time.Duration(i)*time.Minute), []int{401, 200}[i%5/4], time.Millisecond)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mark, latest, last int64
	for range 250 { // the timed write, within 5 s
		if err := db.QueryRow(`SELECT run_id, latest_run_id, (SELECT MAX(id) FROM runs) FROM rollup_mark`).Scan(&mark, &latest, &last); err != nil {
			t.Fatal(err)
		}
		if mark == last {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if mark != last || latest >= last {
		t.Fatalf("marks: rollups %d, latest rows %d, newest run %d: want the rollups written and the latest rows not", mark, latest, last)
	}
	image := filepath.Join(t.TempDir(), "crashed.db")
	copyDB(t, path, image)
	want := allFigures(t, s)

	c, err := Open(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.now = s.now
	got := allFigures(t, c)
	if !reflect.DeepEqual(got.overview, want.overview) || !reflect.DeepEqual(got.recent, want.recent) ||
		!reflect.DeepEqual(got.stats, want.stats) {
		t.Fatalf("after the crash:\n%+v\n%+v\nwant\n%+v\n%+v", got.overview, got.recent, want.overview, want.recent)
	}
}
