package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestChecksShareCronEntries: a thousand checks on one schedule take at
// most one cron entry per offset step, every one of them runs in each
// interval, and a check removed from a shared entry stops while the others
// of its entry go on.
func TestChecksShareCronEntries(t *testing.T) {
	rec := &countingRecorder{}
	run := func(_ context.Context, ch checks.Check) checks.Result { return checks.Result{Check: ch.Name} }
	s := New(rec, run, quiet(), WithLimits(1000, 1000))
	const n = 1000
	for i := range n {
		if err := s.Add(checks.Check{Name: fmt.Sprintf("check-%04d", i), Schedule: "@every 1s", Timeout: time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	if got, most := len(s.cron.Entries()), int(time.Second/minSlotStep); got > most || got < most/2 {
		t.Fatalf("%d checks take %d cron entries, want at most %d (one per offset step) and most of them", n, got, most)
	}
	// Two checks of one entry: remove one, keep the other.
	var gone, kept string
	byEntry := map[any]string{}
	for i := range n {
		name := fmt.Sprintf("check-%04d", i)
		id, _ := s.EntryID(name)
		if other, ok := byEntry[id]; ok {
			gone, kept = other, name
			break
		}
		byEntry[id] = name
	}
	if gone == "" {
		t.Fatal("no two checks share an entry")
	}
	s.Start()
	defer s.Stop(time.Second)
	eventually(t, "every check to run twice", func() bool {
		for i := range n {
			if rec.count(fmt.Sprintf("check-%04d", i)) < 2 {
				return false
			}
		}
		return true
	})
	if !s.Remove(gone) {
		t.Fatal("Remove did not find the check")
	}
	time.Sleep(50 * time.Millisecond) // a run already started may finish
	after, keptAfter := rec.count(gone), rec.count(kept)
	eventually(t, "the kept check to run twice more", func() bool { return rec.count(kept) >= keptAfter+2 })
	if got := rec.count(gone); got != after {
		t.Errorf("the removed check ran %d more times", got-after)
	}
	if _, ok := s.EntryID(kept); !ok {
		t.Error("the kept check lost its entry")
	}
}
