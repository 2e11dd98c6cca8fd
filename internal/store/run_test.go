package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestRun reads one run by its id, its shared evidence included, and refuses
// a run of another check or one that does not exist.
func TestRun(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		s.SetFolding(false) // a row per run: this test is about what rows hold (fold_test.go folds)
		t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		for i := range 3 {
			record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), 401, time.Millisecond)
			record(t, s, "other", t0.Add(time.Duration(i)*time.Minute), 401, time.Millisecond)
		}
		runs, err := s.Runs(ctx, "api", 3)
		if err != nil || len(runs) != 3 {
			t.Fatalf("runs: %d, %v", len(runs), err)
		}
		got, err := s.Run(ctx, "api", runs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != runs[0].ID || !got.Started.Equal(t0.Add(2*time.Minute)) || len(got.Probes) == 0 ||
			!got.EvidenceFrom.Equal(t0) {
			t.Errorf("run %d started %v, %d probes, evidence from %v; want the newest, evidence of the first",
				got.ID, got.Started, len(got.Probes), got.EvidenceFrom)
		}
		for name, id := range map[string]int64{"other": runs[0].ID, "api": runs[0].ID + 1000} {
			if _, err := s.Run(ctx, name, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Run(%q, %d): %v, want ErrNotFound", name, id, err)
			}
		}
	})
}

// TestRunSummaries pages like RunsPage and keeps of each run what its summary
// shows: each probe's kind, status and failed assertions, nothing else.
func TestRunSummaries(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		s.SetFolding(false) // a row per run: this test is about what rows hold (fold_test.go folds)
		t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		for i, status := range []int{401, 401, 200, 401, 200, 401, 401} {
			res := result("api", t0.Add(time.Duration(i)*time.Minute), status)
			res.Probes[0].Headers = []checks.Header{{Name: "Server", Value: "x"}}
			res.Probes[0].Body = "a body"
			if _, _, err := s.RecordRun(ctx, res, decide); err != nil {
				t.Fatal(err)
			}
			record(t, s, "other", t0.Add(time.Duration(i)*time.Minute), 200, time.Millisecond)
		}
		for _, q := range []RunQuery{{Limit: 4}, {Limit: 3, From: t0.Add(time.Minute), To: t0.Add(5 * time.Minute)}} {
			full, err := s.RunsPage(ctx, "api", q)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := s.RunSummaries(ctx, "api", q)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Runs) != q.Limit || !sum.More {
				t.Fatalf("%+v: %d runs, more %v", q, len(sum.Runs), sum.More)
			}
			for i, got := range sum.Runs {
				want := full.Runs[i]
				p, w := got.Probes[0], want.Probes[0]
				if got.ID != want.ID || !got.Started.Equal(want.Started) || !got.EvidenceFrom.Equal(want.EvidenceFrom) ||
					got.Duration != want.Duration || got.Passed() != want.Passed() || p.Status != w.Status || p.Kind != w.Kind {
					t.Errorf("run %d: summary %+v, want %+v", i, got, want)
				}
				if len(p.Headers) != 0 || p.Body != "" || (got.Passed() && len(p.Assertions) != 0) ||
					(!got.Passed() && (len(p.Assertions) != 1 || p.Assertions[0].Reason != w.Assertions[0].Reason)) {
					t.Errorf("run %d: probe summary %+v", i, p)
				}
			}
		}
		if _, err := s.RunSummaries(ctx, "api", RunQuery{Before: 9999, Limit: 2}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown before: %v", err)
		}
	})
}
