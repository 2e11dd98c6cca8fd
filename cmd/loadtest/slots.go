package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// slotCounter attributes every recorded run to a slot of its check, so that
// a run a little late (or early) at the window's edges is neither lost nor
// counted twice: runs executed are the window's slots that got a run, and
// every check has exactly one slot per interval of the window.
//
// A check's slots are taken to be its first run's start plus whole
// intervals; each later run belongs to the nearest one. That holds while
// lateness varies by less than half an interval.
type slotCounter struct {
	win      window
	interval time.Duration

	mu       sync.Mutex
	checks   []slotTrack // by the number in the check's name
	recorded int64       // every recorded run, warm-up included
	executed int64       // window slots with a run
	failed   int64       // of those, runs with a failed assertion
	// byInterval counts the window's slots with a run per interval of the
	// window: the misses of a start-up backlog differ from steady ones.
	byInterval []int64
}

// slotTrack is one check's reference and the last slot it ran.
type slotTrack struct {
	first int64 // unix ns of the first run's start; 0 before it
	last  int64 // index of the latest slot that had a run
}

func newSlotCounter(win window, interval time.Duration, n int) *slotCounter {
	k := max(0, int(win.end.Sub(win.start)/interval))
	return &slotCounter{win: win, interval: interval, checks: make([]slotTrack, n), byInterval: make([]int64, k)}
}

// add counts a recorded run of a generated check (load-NNNN).
func (c *slotCounter) add(res checks.Result) { c.addRun(res.Check, res.Started, res.Passed()) }

// addRun counts a recorded run of the check called name.
func (c *slotCounter) addRun(name string, start time.Time, passed bool) {
	i, err := strconv.Atoi(strings.TrimPrefix(name, "load-"))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recorded++
	if err != nil || i < 0 || i >= len(c.checks) {
		return
	}
	t := &c.checks[i]
	started := start.UnixNano()
	if t.first == 0 {
		t.first, t.last = started, -1
	}
	idx := int64(math.Round(float64(started-t.first) / float64(c.interval)))
	if idx <= t.last {
		return // a second run for a slot already counted
	}
	t.last = idx
	if slot := time.Unix(0, t.first).Add(time.Duration(idx) * c.interval); c.win.contains(slot) {
		c.executed++
		if k := int(slot.Sub(c.win.start) / c.interval); k < len(c.byInterval) {
			c.byInterval[k]++
		}
		if !passed {
			c.failed++
		}
	}
}

// firstRuns returns how many checks ran at least once and when the last of
// them first started.
func (c *slotCounter) firstRuns() (ran int, last time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var latest int64
	for _, t := range c.checks {
		if t.first != 0 {
			ran++
			latest = max(latest, t.first)
		}
	}
	if ran == 0 {
		return 0, time.Time{}
	}
	return ran, time.Unix(0, latest)
}

// missedBy returns the slots missed in each interval of the window, of n
// checks, oldest first.
func (c *slotCounter) missedBy(n int) []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]int64, len(c.byInterval))
	for i, ran := range c.byInterval {
		out[i] = max(0, int64(n)-ran)
	}
	return out
}

// counts returns runs recorded in all, window slots run, and failed runs.
func (c *slotCounter) counts() (recorded, executed, failed int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recorded, c.executed, c.failed
}

// missedWhen says in which intervals of the window slots were missed, e.g.
// "interval 1: 1802, 2: 816; none in the other 16".
func missedWhen(by []int64) string {
	var parts []string
	quiet := 0
	for i, n := range by {
		if n == 0 {
			quiet++
			continue
		}
		parts = append(parts, fmt.Sprintf("%d: %d", i+1, n))
	}
	if len(parts) == 0 {
		return "not within whole intervals of the window"
	}
	return "interval " + strings.Join(parts, ", ") + fmt.Sprintf("; none in the other %d", quiet)
}
