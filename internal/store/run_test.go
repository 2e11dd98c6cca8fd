package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRun reads one run by its id, its shared evidence included, and refuses
// a run of another check or one that does not exist.
func TestRun(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
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
}
