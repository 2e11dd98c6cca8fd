package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// In a fleet (several monitors on one PostgreSQL) the slots are not fired
// by cron: each (check, location) has a row in the shared schedule, and the
// claim loop takes the due ones of this instance's location (the Claimer:
// the store, FOR UPDATE SKIP LOCKED), so each slot runs once fleet-wide.
// The slots are the same jittered ones as a single monitor's, counted from
// fleetBase so that every instance agrees on them.

// SkipMissed: the slot came while no instance of the location could run
// it (all down, or the database unreachable); it is skipped, never run late
// in a burst.
const SkipMissed = "missed"

// fleetBase is where a fleet counts @every slots from: the same on every
// instance and every start.
var fleetBase = gapRef

// claimPoll is how often the claim loop looks for due slots when the last
// look found fewer than claimBatch; each look also takes the slots due
// before the next one, and waits for their time.
const claimPoll = 200 * time.Millisecond

// claimBatch is the most slots one claim takes.
const claimBatch = 64

// leaseMargin is added to a run's worst case to make its lease.
const leaseMargin = 2 * time.Second

// Claim is one slot this instance took.
type Claim struct {
	Check   string
	Slot    time.Time
	Skipped int64     // slots before Slot that nobody ran
	Now     time.Time // the database's clock at the claim
}

// Plan is what a claim asks of the scheduler for each due row: the slot to
// run (the latest due), the next one, the slots skipped between, and the
// lease. ok false leaves a row of a check this instance does not know.
type Plan func(check, spec string, due, now time.Time) (slot, next time.Time, skipped int64, lease time.Duration, ok bool)

// Claimer is the fleet's shared schedule.
type Claimer interface {
	// Claim takes up to max slots due within ahead from now.
	Claim(ctx context.Context, max int, ahead time.Duration, plan Plan) ([]Claim, error)
}

// fleet is the scheduler's claim mode.
type fleet struct {
	claimer  Claimer
	location string
	claiming atomic.Bool // off while this instance's config differs from the fleet's
	mu       sync.Mutex
	failing  error        // of the last claim; nil when it worked
	run      atomic.Int64 // slots run
	missed   atomic.Int64 // slots skipped, as counted at claims
	wg       sync.WaitGroup
	done     chan struct{}
}

// WithFleet makes the scheduler claim its slots from c for location
// instead of firing them itself. It claims nothing until SetClaiming(true).
func WithFleet(c Claimer, location string) Option {
	return func(s *Scheduler) {
		s.fleet = &fleet{claimer: c, location: location, done: make(chan struct{})}
		s.base = fleetBase
	}
}

// SetClaiming turns claiming on or off (an instance whose config differs
// from the fleet's claims nothing).
func (s *Scheduler) SetClaiming(on bool) {
	if s.fleet != nil {
		s.fleet.claiming.Store(on)
	}
}

// FleetStats reports the slots this instance ran and the ones counted as
// missed at its claims, and the latest claim error (nil when claiming
// works).
func (s *Scheduler) FleetStats() (run, missed int64, err error) {
	if s.fleet == nil {
		return 0, 0, nil
	}
	s.fleet.mu.Lock()
	defer s.fleet.mu.Unlock()
	return s.fleet.run.Load(), s.fleet.missed.Load(), s.fleet.failing
}

// FirstSlot is a check's first slot after now, for a new schedule row.
func (s *Scheduler) FirstSlot(check string, now time.Time) time.Time {
	s.mu.Lock()
	j := s.jobs[check]
	s.mu.Unlock()
	if j == nil {
		return now
	}
	return j.slot.next(now)
}

// plan is the scheduler's Plan.
func (s *Scheduler) plan(check, _ string, due, now time.Time) (slot, next time.Time, skipped int64, lease time.Duration, ok bool) {
	s.mu.Lock()
	j := s.jobs[check]
	s.mu.Unlock()
	if j == nil {
		return time.Time{}, time.Time{}, 0, 0, false
	}
	slot = due
	if every := j.slot.every; every > 0 {
		k := max(0, now.Sub(due)/every) // 0: due, or due within the claim's look-ahead
		slot, skipped = due.Add(k*every), int64(k)
		next = slot.Add(every)
	} else {
		for range 10000 {
			n := j.slot.next(slot)
			if n.IsZero() || n.After(now) {
				break
			}
			slot, skipped = n, skipped+1
		}
		next = j.slot.next(slot)
		if !next.After(now) {
			next = j.slot.next(now)
		}
		if next.IsZero() { // a spec that never fires again
			next = now.Add(100 * 365 * 24 * time.Hour)
		}
	}
	return slot, next, skipped, Lease(*j.ch()), true
}

// claimLoop claims and runs due slots until Stop.
func (s *Scheduler) claimLoop() {
	f := s.fleet
	defer close(f.done)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-s.waitCtx.Done():
			return
		case <-t.C:
		}
		wait := claimPoll
		if f.claiming.Load() {
			ctx, cancel := context.WithTimeout(s.waitCtx, 10*time.Second)
			claims, err := f.claimer.Claim(ctx, claimBatch, claimPoll, s.plan)
			cancel()
			claimed := time.Now()
			s.noteClaim(err)
			if err != nil {
				wait = time.Second
			}
			for _, c := range claims {
				s.startClaim(c, claimed)
			}
			if len(claims) == claimBatch {
				wait = 0
			}
		}
		t.Reset(wait)
	}
}

// noteClaim logs when claiming starts failing and when it works again,
// once each: while the database is down the log is not flooded.
func (s *Scheduler) noteClaim(err error) {
	f := s.fleet
	f.mu.Lock()
	prev := f.failing
	f.failing = err
	f.mu.Unlock()
	switch {
	case err != nil && prev == nil && s.waitCtx.Err() == nil:
		s.log.Error("fleet: cannot claim slots: monitoring from this instance is paused until the database answers",
			"location", f.location, "err", err)
	case err == nil && prev != nil:
		s.log.Info("fleet: claiming slots again", "location", f.location)
	}
}

// startClaim runs a claimed slot in its own goroutine, at the slot's time
// when it was claimed ahead (claimed: when the claim returned).
func (s *Scheduler) startClaim(c Claim, claimed time.Time) {
	s.mu.Lock()
	j := s.jobs[c.Check]
	s.mu.Unlock()
	if j == nil {
		return
	}
	f := s.fleet
	if c.Skipped > 0 {
		f.missed.Add(c.Skipped)
		s.skips.add(c.Check, SkipMissed, int(c.Skipped), c.Now)
		s.obs.ObserveSkipped(c.Check, SkipMissed, int(c.Skipped))
		s.log.Warn("check slots skipped: no instance of this location ran them", "check", c.Check,
			"location", f.location, "skipped", c.Skipped, "running_slot", c.Slot)
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer s.recoverRun(c.Check)
		if !j.started.CompareAndSwap(0, time.Now().UnixNano()) {
			s.skip(c.Check, SkipStillRunning)
			return
		}
		defer j.started.Store(0)
		if wait := c.Slot.Sub(c.Now) - time.Since(claimed); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.waitCtx.Done():
				t.Stop()
				return
			}
		}
		res, ok := j.runLimitedFrom(c.Now.Sub(c.Slot) + time.Since(claimed))
		if !ok {
			return
		}
		res.Location, res.Slot = f.location, c.Slot
		f.run.Add(1)
		s.record(*j.ch(), res)
	}()
}
