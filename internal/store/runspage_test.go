package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRunsPage walks a check's history page by page, with and without a time
// range, while another check's runs interleave.
func TestRunsPage(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		s.SetFolding(false) // a row per run: this test is about what rows hold (fold_test.go folds)
		t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		for i := range 7 {
			record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), 401, time.Millisecond)
			record(t, s, "other", t0.Add(time.Duration(i)*time.Minute), 401, time.Millisecond)
		}
		started := func(p RunPage) string {
			var out []string
			for _, r := range p.Runs {
				if r.Check != "api" {
					t.Errorf("run %d belongs to %q", r.ID, r.Check)
				}
				out = append(out, r.Started.Format("15:04"))
			}
			return strings.Join(out, " ")
		}
		cases := []struct {
			name string
			q    func(prev RunPage) RunQuery
			want string
			more bool
		}{
			{"first page", func(RunPage) RunQuery { return RunQuery{Limit: 3} }, "10:06 10:05 10:04", true},
			{"second page", func(p RunPage) RunQuery { return RunQuery{Before: p.Runs[2].ID, Limit: 3} }, "10:03 10:02 10:01", true},
			{"last page", func(p RunPage) RunQuery { return RunQuery{Before: p.Runs[2].ID, Limit: 3} }, "10:00", false},
			{"time range", func(RunPage) RunQuery {
				return RunQuery{From: t0.Add(2 * time.Minute), To: t0.Add(5 * time.Minute), Limit: 2}
			}, "10:04 10:03", true},
			{"time range, next page", func(p RunPage) RunQuery {
				return RunQuery{Before: p.Runs[1].ID, From: t0.Add(2 * time.Minute), To: t0.Add(5 * time.Minute), Limit: 2}
			}, "10:02", false},
		}
		var prev RunPage
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				page, err := s.RunsPage(ctx, "api", c.q(prev))
				if err != nil {
					t.Fatal(err)
				}
				if got := started(page); got != c.want || page.More != c.more {
					t.Fatalf("runs %q more %v, want %q more %v", got, page.More, c.want, c.more)
				}
				prev = page
			})
		}
	})
}

// TestRunsPageSameMillisecond: runs that started in the same millisecond
// are neither skipped nor repeated across pages.
func TestRunsPageSameMillisecond(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		s.SetFolding(false) // a row per run: this test is about ties
		at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		for range 5 {
			record(t, s, "api", at, 401, time.Millisecond)
		}
		seen := map[int64]bool{}
		q := RunQuery{Limit: 2}
		for page := 0; page < 5; page++ { // bounded: 3 pages are expected
			p, err := s.RunsPage(ctx, "api", q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Runs {
				if seen[r.ID] {
					t.Fatalf("run %d shown twice", r.ID)
				}
				seen[r.ID] = true
			}
			if !p.More {
				break
			}
			q.Before = p.Runs[len(p.Runs)-1].ID
		}
		if len(seen) != 5 {
			t.Fatalf("saw %d runs, want 5", len(seen))
		}
	})
}

func TestRunsPageUnknownBefore(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		record(t, s, "api", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), 401, time.Millisecond)
		record(t, s, "other", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), 401, time.Millisecond)
		for _, before := range []int64{99, 2} { // no such run; another check's run
			if _, err := s.RunsPage(context.Background(), "api", RunQuery{Before: before, Limit: 5}); !errors.Is(err, ErrNotFound) {
				t.Errorf("before=%d: err = %v, want ErrNotFound", before, err)
			}
		}
	})
}

func TestLatestRunID(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		if id, err := s.LatestRunID(ctx); err != nil || id != 0 {
			t.Fatalf("empty store: %d, %v", id, err)
		}
		record(t, s, "api", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), 401, time.Millisecond)
		first, _ := s.LatestRunID(ctx)
		record(t, s, "other", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), 401, time.Millisecond)
		if id, err := s.LatestRunID(ctx); err != nil || id <= first {
			t.Fatalf("after a second run: %d (first %d), %v", id, first, err)
		}
	})
}

// TestRunsPageUsesIndex: the page query walks the (check, started) index
// instead of scanning every run.
func TestRunsPageUsesIndex(t *testing.T) {
	engines(t, func(t *testing.T) {
		sqliteOnly(t, "reads SQLite's query plan (EXPLAIN QUERY PLAN)")
		s, _ := openTemp(t)
		rows, err := s.r.Query(`EXPLAIN QUERY PLAN SELECT `+runColumns+` FROM runs r`+runJoins+`
		WHERE r.check_id = (SELECT id FROM check_names WHERE name = ?) AND r.started_ms <= ?
		AND (r.started_ms < ? OR r.id < ?) AND r.started_ms >= ?
		ORDER BY r.started_ms DESC, r.id DESC LIMIT ?`, "api", 1, 1, 1, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		p := strings.Join(plan, "\n")
		if !strings.Contains(p, "runs_by_check") || strings.Contains(p, "SCAN r\n") || strings.Contains(p, "TEMP B-TREE") {
			t.Fatalf("plan does not use runs_by_check in order:\n%s", p)
		}
	})
}
