package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// fakeClaimer hands out the slots it is given, once each, as a shared
// schedule would; it counts the claims.
type fakeClaimer struct {
	mu     sync.Mutex
	slots  []Claim
	claims int
	ahead  time.Duration
}

func (f *fakeClaimer) Claim(_ context.Context, max int, ahead time.Duration, plan Plan) ([]Claim, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.claims++
	f.ahead = ahead
	var out []Claim
	for len(f.slots) > 0 && len(out) < max {
		c := f.slots[0]
		f.slots = f.slots[1:]
		if _, _, _, _, ok := plan(c.Check, "@every 1m", c.Slot, c.Now); ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// slotRecorder keeps each result and when it was recorded.
type slotRecorder struct {
	mu   sync.Mutex
	runs []checks.Result
}

func (r *slotRecorder) Record(_ context.Context, res checks.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, res)
	return nil
}

// TestFleetRunsClaimedSlots: in a fleet the scheduler claims instead of
// firing; it claims nothing until told to, a slot claimed ahead of its
// time runs at that time, not before, and the result carries its location
// and slot; a slot of a check it does not know is left alone.
func TestFleetRunsClaimedSlots(t *testing.T) {
	now := time.Now()
	fc := &fakeClaimer{slots: []Claim{
		{Check: "unknown", Slot: now, Now: now},
		{Check: "a", Slot: now.Add(150 * time.Millisecond), Now: now},
	}}
	rec := &slotRecorder{}
	var ranAt time.Time
	run := func(_ context.Context, ch checks.Check) checks.Result {
		ranAt = time.Now()
		return result(ch, true)
	}
	s := New(rec, run, quiet(), WithFleet(fc, "eu"))
	if err := s.Add(checks.Check{Name: "a", Schedule: "@every 1m", Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(time.Second)
	time.Sleep(3 * claimPoll)
	fc.mu.Lock()
	claims := fc.claims
	fc.mu.Unlock()
	if claims != 0 {
		t.Fatalf("claimed %d times before claiming was turned on", claims)
	}
	s.SetClaiming(true)
	eventually(t, "the claimed slot to run", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.runs) == 1
	})
	res := rec.runs[0]
	if res.Location != "eu" || !res.Slot.Equal(now.Add(150*time.Millisecond)) {
		t.Fatalf("result location %q slot %v", res.Location, res.Slot)
	}
	if ranAt.Before(res.Slot) {
		t.Fatalf("ran at %v, before its slot %v", ranAt, res.Slot)
	}
	fc.mu.Lock()
	ahead := fc.ahead
	fc.mu.Unlock()
	if ahead != claimPoll {
		t.Fatalf("claimed %v ahead, want one poll", ahead)
	}
	if run, missed, err := s.FleetStats(); run != 1 || missed != 0 || err != nil {
		t.Fatalf("stats %d %d %v", run, missed, err)
	}
}

// TestFleetPlan: the latest due slot runs and the ones before it are
// skipped; a slot not yet due (claimed ahead) runs as is.
func TestFleetPlan(t *testing.T) {
	s := New(&slotRecorder{}, nil, quiet(), WithFleet(&fakeClaimer{}, "eu"))
	if err := s.Add(checks.Check{Name: "a", Schedule: "@every 10s", Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	slot, next, skipped, lease, ok := s.plan("a", "@every 10s", due, due.Add(35*time.Second))
	if !ok || !slot.Equal(due.Add(30*time.Second)) || !next.Equal(due.Add(40*time.Second)) || skipped != 3 || lease <= 0 {
		t.Fatalf("late: slot %v next %v skipped %d lease %v ok %v", slot, next, skipped, lease, ok)
	}
	slot, next, skipped, _, _ = s.plan("a", "@every 10s", due, due.Add(-100*time.Millisecond))
	if !slot.Equal(due) || !next.Equal(due.Add(10*time.Second)) || skipped != 0 {
		t.Fatalf("ahead: slot %v next %v skipped %d", slot, next, skipped)
	}
	if _, _, _, _, ok := s.plan("b", "@every 10s", due, due); ok {
		t.Fatal("a check it does not know was planned")
	}
}

// TestFleetCountsEveryMissedSlot: slots nobody ran (a day's outage of a
// check at 1 s) are counted in full, on the check page and for metrics.
func TestFleetCountsEveryMissedSlot(t *testing.T) {
	now := time.Now()
	fc := &fakeClaimer{slots: []Claim{{Check: "a", Slot: now, Now: now, Skipped: 86_400}}}
	obs := &recordingObserver{}
	rec := &slotRecorder{}
	s := New(rec, func(_ context.Context, ch checks.Check) checks.Result { return result(ch, true) }, quiet(),
		WithFleet(fc, "eu"), WithObserver(obs))
	if err := s.Add(checks.Check{Name: "a", Schedule: "@every 1s", Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(time.Second)
	s.SetClaiming(true)
	eventually(t, "the claimed slot to run", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.runs) == 1
	})
	if got := s.Skipped("a"); got.Count != 86_400 || got.Reason != SkipMissed {
		t.Fatalf("skipped %+v, want 86400 missed", got)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.skipped) != 86_400 {
		t.Fatalf("observed %d skipped slots, want 86400", len(obs.skipped))
	}
}
