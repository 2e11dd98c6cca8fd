package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestStripShiftMatchesRebuild: when a check's runs reach the next hour,
// its strip is moved along by one hour (shiftStrip) rather than read again
// from the rollups. Over two days of runs, across midnight and with hours
// without runs, every strip so moved is byte for byte the one built from
// the rollups.
func TestStripShiftMatchesRebuild(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(3, 4))
		start := time.Date(2026, 8, 1, 21, 10, 0, 0, time.UTC) // three hours before midnight
		// A day and a half of history first, then runs hour by hour.
		names := []string{"a", "b"}
		before := stripsShifted.Load()
		compared := 0
		for h := -36; h < 30; h++ {
			hour := start.Add(time.Duration(h) * time.Hour).Truncate(time.Hour)
			if h%7 == 3 { // an hour without runs
				continue
			}
			for i, name := range names {
				for k := range 1 + rng.IntN(3) {
					status := 401
					if rng.IntN(4) == 0 {
						status = 200
					}
					res := result(name, hour.Add(time.Duration(5+10*k+i)*time.Minute), status)
					res.Duration = time.Duration(rng.Int64N(int64(3 * time.Second)))
					if _, _, err := s.RecordRun(ctx, res, decide); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := s.syncRollups(ctx); err != nil {
				t.Fatal(err)
			}
			for _, name := range names {
				var id, at int64
				var got []byte
				if err := s.w.QueryRow(`SELECT r.check_id, r.hour_ms, r.strip FROM check_recent r
					JOIN check_names n ON n.id = r.check_id WHERE n.name = ?`, name).Scan(&id, &at, &got); err != nil {
					t.Fatal(err)
				}
				if at != hour.UnixMilli() {
					t.Fatalf("%s: strip at %s, want %s", name, time.UnixMilli(at).UTC(), hour)
				}
				want, err := buildStrip(ctx, s.w, id, at)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want.encode()) {
					t.Fatalf("%s at %s: the stored strip differs from one built from the rollups\n got %x\nwant %x",
						name, hour, got, want.encode())
				}
				compared++
			}
		}
		if shifted := stripsShifted.Load() - before; shifted < int64(compared/2) {
			t.Fatalf("%d strips moved along of %d compared: the rollups were read again instead", shifted, compared)
		}
	})
}

// BenchmarkHourChange: the write that moves every check's strip along when
// the hour changes, at 10,000 checks with two days of history (one run
// each every 30 minutes): each iteration records one run per check in the
// next hour and writes the rollups and strips.
func BenchmarkHourChange(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC)
	if err := s.SeedHistory(ctx, n, 2, 30*time.Minute, now, passingRun); err != nil {
		b.Fatal(err)
	}
	if err := s.syncRollups(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		at := now.Add(time.Duration(i)*time.Hour + time.Minute)
		var wg sync.WaitGroup
		for w := range 64 {
			wg.Go(func() {
				for c := w; c < n; c += 64 {
					if _, _, err := s.RecordRun(ctx, passingRun(fmt.Sprintf("seed-%04d", c), at), benchDecide); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := s.syncRollups(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStripAfterPrune: retention that prunes rollups inside a strip's span
// (here daily rollups after 3 days, hourly ones after a day) makes the next
// hour's strip a rebuild, which leaves out what was pruned; moved along, the
// strip would keep the deleted days for up to 30 days.
func TestStripAfterPrune(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		ctx := context.Background()
		now := time.Date(2026, 8, 10, 14, 0, 0, 0, time.UTC)
		for h := -6 * 24; h < 0; h += 5 { // ending with a run in the hour before now
			if h > -5 {
				h = -1
			}
			if _, _, err := s.RecordRun(ctx, result("a", now.Add(time.Duration(h)*time.Hour+time.Minute), 401), decide); err != nil {
				t.Fatal(err)
			}
		}
		s.now = func() time.Time { return now }
		if _, err := s.PruneOnce(ctx, Retention{Raw: 24 * time.Hour, Hourly: 24 * time.Hour, Daily: 3 * 24 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.RecordRun(ctx, result("a", now.Add(time.Minute), 401), decide); err != nil {
			t.Fatal(err)
		}
		if err := s.syncRollups(ctx); err != nil {
			t.Fatal(err)
		}
		var id, at int64
		var got []byte
		if err := s.w.QueryRow(`SELECT check_id, hour_ms, strip FROM check_recent`).Scan(&id, &at, &got); err != nil {
			t.Fatal(err)
		}
		want, err := buildStrip(ctx, s.w, id, at)
		if err != nil {
			t.Fatal(err)
		}
		if at != now.UnixMilli() || !bytes.Equal(got, want.encode()) {
			t.Fatalf("strip at %s after pruning differs from the rollups'\n got %x\nwant %x", time.UnixMilli(at).UTC(), got, want.encode())
		}
	})
}
