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
		// The last two runs passed with the same outcome: one row (fold.go)
		// standing for both, so two marks that say so.
		if !s.Shared() && ids[3] != ids[2] {
			t.Fatalf("the repeated pass was not folded: ids %v", ids)
		}
		want := []RunMark{
			{ID: ids[3], Started: t0.Add(3 * time.Minute), Passed: true, Runs: 1, Last: t0.Add(3 * time.Minute)},
			{ID: ids[2], Started: t0.Add(2 * time.Minute), Passed: true, Runs: 1, Last: t0.Add(2 * time.Minute)},
			{ID: ids[1], Started: t0.Add(time.Minute), Severity: checks.SevCritical, Runs: 1, Last: t0.Add(time.Minute)},
		}
		if !s.Shared() {
			want[0] = RunMark{ID: ids[2], Started: t0.Add(2 * time.Minute), Passed: true, Runs: 2, Last: t0.Add(3 * time.Minute)}
			want[1] = want[0]
		}
		for i := range want {
			if api[i].ID != want[i].ID || !api[i].Started.Equal(want[i].Started) || api[i].Passed != want[i].Passed ||
				api[i].Severity != want[i].Severity || api[i].Runs != want[i].Runs || !api[i].Last.Equal(want[i].Last) {
				t.Errorf("mark %d = %+v, want %+v", i, api[i], want[i])
			}
		}
	})
}
