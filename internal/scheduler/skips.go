package scheduler

import (
	"sync"
	"time"
)

// Why a run did not happen. A run that outlasts its interval would
// otherwise lose the slots in between without a word: every lost slot is
// counted, logged and reported to the Observer.
const (
	// SkipStillRunning: the check's previous run had not finished when
	// the slot came (a target that hangs, a timeout longer than the
	// interval).
	SkipStillRunning = "still_running"
	// SkipNoSlot: no concurrency slot became free within the check's
	// timeout (max_concurrency or max_per_host reached).
	SkipNoSlot = "no_slot"
)

// SkippedRuns is one check's tally of runs that did not happen since the
// scheduler started.
type SkippedRuns struct {
	Count  int       // slots lost, for any reason
	Last   time.Time // the latest lost slot; zero when none
	Reason string    // why the latest one was lost: SkipStillRunning or SkipNoSlot
	Since  time.Time // when counting started (the scheduler's start)
}

// skipBook counts lost slots per check. Counts of a check survive its
// removal and re-adding by a reload, so a reload does not hide an overrun.
type skipBook struct {
	mu    sync.Mutex
	since time.Time
	byKey map[string]SkippedRuns
}

func newSkipBook(since time.Time) *skipBook {
	return &skipBook{since: since, byKey: map[string]SkippedRuns{}}
}

// add counts n lost slots and returns the check's tally.
func (b *skipBook) add(check, reason string, n int, at time.Time) SkippedRuns {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.byKey[check]
	s.Count += n
	s.Last, s.Reason, s.Since = at, reason, b.since
	b.byKey[check] = s
	return s
}

func (b *skipBook) get(check string) SkippedRuns {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.byKey[check]
	s.Since = b.since
	return s
}

// Skipped reports the runs of a check that did not happen since the
// scheduler was built.
func (s *Scheduler) Skipped(check string) SkippedRuns { return s.skips.get(check) }

// skip counts and logs a lost slot and tells the observer.
func (s *Scheduler) skip(check, reason string, extra ...any) {
	tally := s.skips.add(check, reason, 1, time.Now().UTC())
	s.obs.ObserveSkipped(check, reason, 1)
	msg := "check run skipped: the previous run is still running"
	if reason == SkipNoSlot {
		msg = "check run skipped: no free slot to run in"
	}
	s.log.Warn(msg, append([]any{"check", check, "reason", reason, "skipped_total", tally.Count}, extra...)...)
}
