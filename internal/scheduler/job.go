package scheduler

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// defaultWait bounds the wait for a concurrency slot of a check without a
// timeout (the config always sets one).
const defaultWait = 10 * time.Second

// job is one scheduled check: its batch runs it at each of its slot's times
// (or, in a fleet, the claim loop at each slot it claimed).
type job struct {
	s *Scheduler
	// ref is the check: the caller's (AddRef), swapped for the same
	// definition in a newer config by Rebind while runs read it.
	ref   atomic.Pointer[checks.Check]
	host  string
	slot  *jittered
	batch *batch // nil in a fleet
	// started is when the run under way began (unix ns); 0 when none is.
	started atomic.Int64
}

// ch is the check's definition.
func (j *job) ch() *checks.Check { return j.ref.Load() }

// Run runs the check for the slot due (zero if not known) once a
// concurrency slot is free, then records the result. A slot that comes while
// the previous run goes on is skipped, counted and logged.
func (j *job) Run(due time.Time) {
	now := time.Now()
	if !j.started.CompareAndSwap(0, now.UnixNano()) {
		running := now.Sub(time.Unix(0, j.started.Load()))
		j.s.skip(j.ch().Name, SkipStillRunning, "running_for", running.Round(time.Millisecond).String(),
			"timeout", j.ch().Timeout.String())
		return
	}
	defer j.started.Store(0) // also on a panic, before Recover logs it
	res, ok := j.runLimited(due)
	if ok {
		j.s.record(*j.ch(), res)
	}
}

// runLimited waits for a free slot, for at most the check's timeout, and
// runs the check in it. The wait counts as lateness; a run that found no
// slot in time is skipped (and measured too, so an overload shows).
func (j *job) runLimited(due time.Time) (checks.Result, bool) {
	if due.IsZero() {
		return j.runWithin(nil)
	}
	return j.runWithin(func() time.Duration { return time.Since(due) })
}

// runLimitedFrom is runLimited for a claimed slot that started late
// already (measured on the database's clock).
func (j *job) runLimitedFrom(late time.Duration) (checks.Result, bool) {
	start := time.Now()
	return j.runWithin(func() time.Duration { return late + time.Since(start) })
}

// runWithin runs the check once a concurrency slot is free; lateness, if
// not nil, says how late it starts.
func (j *job) runWithin(lateness func() time.Duration) (checks.Result, bool) {
	wait := j.ch().Timeout
	if wait <= 0 {
		wait = defaultWait
	}
	ctx, cancel := context.WithTimeout(j.s.waitCtx, wait)
	release, err := j.s.limits.acquire(ctx, j.host)
	cancel()
	if lateness != nil {
		late := lateness()
		j.s.late.observe(late)
		j.s.obs.ObserveLateness(late)
	}
	if err != nil {
		if j.s.waitCtx.Err() == nil {
			j.s.skip(j.ch().Name, SkipNoSlot, "host", j.host, "duration", wait)
		}
		return checks.Result{}, false
	}
	defer release() // also when the check panics: Recover keeps the scheduler alive
	return j.s.run(j.s.ctx, *j.ch()), true
}
