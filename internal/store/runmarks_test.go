package store

import (
	"context"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestRunMarks reads the latest runs of each check, newest first, with the
// severity of the failed ones, and nothing for a check without runs.
func TestRunMarks(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		ctx := context.Background()
		t0 := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		var ids []int64
		for i, status := range []int{401, 200, 401, 401} { // 200: the missing probe lets through
			run, _, err := s.RecordRun(ctx, result("api", t0.Add(time.Duration(i)*time.Minute), status), decide)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, run.ID)
		}
		got, err := s.RunMarks(ctx, []string{"api", "never"}, 3)
		if err != nil {
			t.Fatal(err)
		}
		api := got["api"]
		if len(api) != 3 || len(got["never"]) != 0 {
			t.Fatalf("marks = %+v", got)
		}
		want := []RunMark{
			{ids[3], t0.Add(3 * time.Minute), true, checks.SevNone},
			{ids[2], t0.Add(2 * time.Minute), true, checks.SevNone},
			{ids[1], t0.Add(time.Minute), false, checks.SevCritical},
		}
		for i := range want {
			if api[i].ID != want[i].ID || !api[i].Started.Equal(want[i].Started) || api[i].Passed != want[i].Passed || api[i].Severity != want[i].Severity {
				t.Errorf("mark %d = %+v, want %+v", i, api[i], want[i])
			}
		}
	})
}
