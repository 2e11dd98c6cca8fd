package scheduler

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// batch is one cron entry that fires every check of one schedule and
// offset. cron sorts all its entries each time it wakes and wakes once for
// each distinct time: with one entry per check that work grew as the square
// of the number of checks (38% of the CPU at 10,000 checks every 10 s).
// Offsets are stepped (see slotStep), so any number of checks of one
// schedule share at most a few hundred entries.
type batch struct {
	key  string
	slot *jittered // the schedule every job of the batch has
	id   cron.EntryID
	s    *Scheduler
	// jobs is replaced, never changed, by Add and Remove (under
	// Scheduler.mu), so a firing reads it without a lock.
	jobs atomic.Pointer[[]*job]
}

// batchKey is the batch of a job: its schedule and offset.
func batchKey(spec string, j *jittered) string {
	if j.every > 0 {
		return fmt.Sprintf("@every %d +%d", j.every, j.offset)
	}
	return fmt.Sprintf("%s +%d", spec, j.offset)
}

// Run starts every job of the batch for the slot that is due and waits for
// them, so that cron's Stop waits for them too.
func (b *batch) Run() {
	due := b.slot.due(time.Now())
	jobs := *b.jobs.Load()
	var wg sync.WaitGroup
	wg.Add(len(jobs))
	for _, j := range jobs {
		go func() {
			defer wg.Done()
			defer b.s.recoverRun(j.ch().Name)
			j.Run(due)
		}()
	}
	wg.Wait()
}

// recoverRun keeps a panicking run from ending the process: it is logged
// with its stack, and the check runs again at its next slot.
func (s *Scheduler) recoverRun(check string) {
	r := recover()
	if r == nil {
		return
	}
	buf := make([]byte, 64<<10)
	buf = buf[:runtime.Stack(buf, false)]
	s.log.Error("check run panicked", "check", check, "panic", fmt.Sprint(r), "stack", string(buf))
}

// addToBatch schedules j with cron, in the batch of its schedule and offset
// (a new cron entry if it is the first). Called with s.mu held.
func (s *Scheduler) addToBatch(j *job) {
	key := batchKey(j.ch().Schedule, j.slot)
	b := s.batches[key]
	if b == nil {
		b = &batch{key: key, slot: j.slot.clone(), s: s}
		b.jobs.Store(&[]*job{})
		s.batches[key] = b
		defer func() { b.id = s.cron.Schedule(b.slot, b) }()
	}
	jobs := append(slices.Clone(*b.jobs.Load()), j)
	b.jobs.Store(&jobs)
	j.batch = b
}

// removeFromBatch unschedules j; the batch's cron entry goes with its last
// job. Called with s.mu held.
func (s *Scheduler) removeFromBatch(j *job) {
	b := j.batch
	if b == nil {
		return
	}
	jobs := slices.DeleteFunc(slices.Clone(*b.jobs.Load()), func(o *job) bool { return o == j })
	b.jobs.Store(&jobs)
	j.batch = nil
	if len(jobs) == 0 {
		s.cron.Remove(b.id)
		delete(s.batches, b.key)
	}
}
