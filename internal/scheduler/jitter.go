package scheduler

import (
	"hash/fnv"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// maxCronJitter caps the offset of a cron-spec schedule: a check runs at most
// this long after its cron time.
const maxCronJitter = time.Minute

// gapRef is where the gap between two firings of a cron spec is measured, so
// a check's offset never depends on when the monitor started.
var gapRef = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// jittered wraps a check's schedule so that the check fires at a fixed offset
// derived from its name, and many checks on one schedule do not fire at the
// same instant.
//
// For "@every D" the runs are at base + offset + k·D (k ≥ 0) with offset in
// [0, D): the first run comes within one interval of base and the cadence is
// D exactly (cron's own ConstantDelaySchedule rounds to whole seconds, so
// every such check would fire at :00). For cron specs each firing is delayed
// by an offset in [0, min(60s, the gap between two firings)).
type jittered struct {
	inner  cron.Schedule
	every  time.Duration // the period of an @every schedule; 0 for cron specs
	base   time.Time     // @every slots are counted from here
	offset time.Duration

	mu         sync.Mutex
	prev, last time.Time // the two latest times Next returned
}

// newJittered wraps sched for the check called name.
func newJittered(name string, sched cron.Schedule, base time.Time) *jittered {
	j := &jittered{inner: sched, base: base.UTC().Round(0)}
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok {
		j.every = cd.Delay
		j.offset = stepped(offset(name, cd.Delay), cd.Delay)
		return j
	}
	window := min(maxCronJitter, gap(sched))
	j.offset = stepped(offset(name, window), window)
	return j
}

// Offsets are multiples of a step, so that the checks of one schedule share
// at most maxSlotsPerWindow distinct slots, each one cron entry (see batch):
// cron sorts all its entries each time it wakes, and wakes for each distinct
// time. The step is at least minSlotStep: each distinct time wakes cron, a
// batch's goroutines and the Go scheduler's idle threads, and at 1,000
// checks × 1 s twenty wakes a second of 50 checks cost about a tenth less
// CPU per run than a hundred of 10 (cmd/loadtest), while checks 50 ms apart
// gain nothing from firing apart.
const (
	minSlotStep       = 50 * time.Millisecond
	maxSlotsPerWindow = 256
)

// slotStep is the step of the offsets within window.
func slotStep(window time.Duration) time.Duration {
	return max(minSlotStep, window/maxSlotsPerWindow)
}

// stepped rounds an offset in [0, window) down to its step.
func stepped(o, window time.Duration) time.Duration {
	return o - o%slotStep(window)
}

// clone returns a schedule that fires at the same times as j, with its own
// record of the times it returned (see due).
func (j *jittered) clone() *jittered {
	return &jittered{inner: j.inner, every: j.every, base: j.base, offset: j.offset}
}

// Next returns the first slot after t, and remembers it for due.
func (j *jittered) Next(t time.Time) time.Time {
	n := j.next(t)
	j.mu.Lock()
	if n.After(j.last) {
		j.prev, j.last = j.last, n
	}
	j.mu.Unlock()
	return n
}

func (j *jittered) next(t time.Time) time.Time {
	if j.every > 0 {
		first := j.base.Add(j.offset)
		if t.Before(first) {
			return first
		}
		return first.Add((t.Sub(first)/j.every + 1) * j.every)
	}
	n := j.inner.Next(t.Add(-j.offset))
	if n.IsZero() { // a spec that never fires, such as Feb 30
		return n
	}
	return n.Add(j.offset)
}

// due returns the slot a run starting at now was scheduled for: the latest
// time Next returned that is not after now (zero if there is none). cron asks
// for the following slot only after it started the run, so both are kept.
func (j *jittered) due(now time.Time) time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.last.After(now) {
		return j.last
	}
	if !j.prev.After(now) {
		return j.prev
	}
	return time.Time{}
}

// offset maps a check name to a duration in [0, window), the same on every
// start.
func offset(name string, window time.Duration) time.Duration {
	if window <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return time.Duration(mix(h.Sum64()) % uint64(window))
}

// mix is the splitmix64 finalizer. The low bits of an FNV-1a hash depend only
// on the low bits of the name's bytes; after mixing, the remainder of a
// division depends on every bit of the name.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// gap is the time between two firings of a cron schedule (its first two
// after gapRef), or maxCronJitter if it fires less than twice.
func gap(sched cron.Schedule) time.Duration {
	a := sched.Next(gapRef)
	if a.IsZero() {
		return maxCronJitter
	}
	b := sched.Next(a)
	if b.IsZero() {
		return maxCronJitter
	}
	return b.Sub(a)
}
