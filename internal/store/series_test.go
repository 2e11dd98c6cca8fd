package store

import (
	"context"
	"testing"
	"time"
)

// TestSeries reads hourly and daily buckets back from the rollups the runs
// maintained, with empty buckets where nothing ran.
func TestSeries(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		t0 := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
		for i := range 20 { // 10:00-10:19: 18 fast passes, 2 slow failures
			status, took := 401, 2*time.Millisecond
			if i%10 == 9 {
				status, took = 200, 400*time.Millisecond
			}
			record(t, s, "api", t0.Add(time.Duration(i)*time.Minute), status, took)
		}
		record(t, s, "api", t0.Add(2*time.Hour), 401, 40*time.Millisecond) // 12:00
		record(t, s, "api", t0.Add(-48*time.Hour), 401, time.Millisecond)  // two days before

		t.Run("hourly", func(t *testing.T) {
			bs, err := s.Series(ctx, "api", time.Hour, t0.Add(-30*time.Minute), t0.Add(2*time.Hour+5*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if len(bs) != 4 || !bs[0].Start.Equal(t0.Add(-time.Hour)) {
				t.Fatalf("%d buckets from %v, want 4 from 09:00", len(bs), bs[0].Start)
			}
			want := []Bucket{
				{Start: t0.Add(-time.Hour)},
				{Start: t0, Runs: 20, Failed: 2, P50: 2 * time.Millisecond, P95: 500 * time.Millisecond},
				{Start: t0.Add(time.Hour)},
				{Start: t0.Add(2 * time.Hour), Runs: 1, P50: 50 * time.Millisecond, P95: 50 * time.Millisecond},
			}
			for i := range want {
				if bs[i] != want[i] {
					t.Errorf("bucket %d = %+v, want %+v", i, bs[i], want[i])
				}
			}
			if u := bs[1].Uptime(); u != 90 {
				t.Errorf("uptime %v, want 90", u)
			}
		})
		t.Run("daily", func(t *testing.T) {
			bs, err := s.Series(ctx, "api", 24*time.Hour, t0.Add(-3*24*time.Hour), t0)
			if err != nil {
				t.Fatal(err)
			}
			var runs []int64
			for _, b := range bs {
				runs = append(runs, b.Runs)
			}
			if len(bs) != 4 || runs[0] != 0 || runs[1] != 1 || runs[2] != 0 || runs[3] != 21 {
				t.Fatalf("daily runs %v, want [0 1 0 21]", runs)
			}
		})
		t.Run("unknown check", func(t *testing.T) {
			bs, err := s.Series(ctx, "nope", time.Hour, t0, t0.Add(time.Hour))
			if err != nil || len(bs) != 2 || bs[0].Runs != 0 {
				t.Fatalf("%+v, %v", bs, err)
			}
		})
		t.Run("refused", func(t *testing.T) {
			for _, c := range []struct {
				step     time.Duration
				from, to time.Time
			}{
				{time.Minute, t0, t0.Add(time.Hour)},
				{time.Hour, t0, t0.Add(-2 * time.Hour)},
				{time.Hour, t0.Add(-365 * 24 * time.Hour), t0},
			} {
				if _, err := s.Series(ctx, "api", c.step, c.from, c.to); err == nil {
					t.Errorf("step %s from %v to %v: no error", c.step, c.from, c.to)
				}
			}
		})
	})
}
