package scheduler

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/checks"
)

// Overrun describes a check whose run can outlast its interval: against a
// target that hangs, each of its requests waits for the whole timeout, and
// the slots that come meanwhile are skipped (SkipStillRunning).
type Overrun struct {
	Requests int           // the most requests one run sends (checks.MaxRequests)
	Timeout  time.Duration // each request's bound
	Worst    time.Duration // Requests × Timeout
	Interval time.Duration // the shortest time between two of its slots
}

// String says what the overrun costs and how to avoid it.
func (o Overrun) String() string {
	return fmt.Sprintf("a run can take %s (%d requests × %s timeout) against a target that hangs, longer than "+
		"its interval of %s: slots that come meanwhile are skipped; lower timeout, send fewer probes, or run it less often",
		o.Worst, o.Requests, o.Timeout, o.Interval)
}

// CheckOverrun reports whether ch's worst-case run exceeds its interval. A
// schedule that does not parse is left to config validation.
func CheckOverrun(ch checks.Check) (Overrun, bool) {
	sched, err := checks.ParseSchedule(ch.Schedule)
	if err != nil {
		return Overrun{}, false
	}
	timeout := ch.Timeout
	if timeout <= 0 {
		timeout = defaultWait
	}
	o := Overrun{Requests: checks.MaxRequests(ch), Timeout: timeout, Interval: interval(sched)}
	o.Worst = time.Duration(o.Requests) * timeout
	return o, o.Interval > 0 && o.Worst > o.Interval
}

// interval is the shortest gap between two firings of sched: the period of
// an @every schedule, else the least of the gaps among its next firings
// (a week of "*/5 9-17 * * 1-5" has both 5 minutes and a weekend).
func interval(sched cron.Schedule) time.Duration {
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok {
		return cd.Delay
	}
	var least time.Duration
	t := sched.Next(gapRef)
	for range 500 {
		n := sched.Next(t)
		if t.IsZero() || n.IsZero() {
			break
		}
		if g := n.Sub(t); least == 0 || g < least {
			least = g
		}
		t = n
	}
	return least
}

// Lease is how long a claim of ch's slot is held before another instance
// of its location may take the slot over: its worst-case run plus
// leaseMargin.
func Lease(ch checks.Check) time.Duration {
	o, _ := CheckOverrun(ch)
	worst := o.Worst
	if worst <= 0 {
		worst = defaultWait
	}
	return worst + leaseMargin
}

// TakeoverBound is the longest a location goes without running ch after
// the instance holding its slot dies: the lease, then the claim poll that
// finds the slot free, then one interval to the next slot.
func TakeoverBound(ch checks.Check) time.Duration {
	o, _ := CheckOverrun(ch)
	return Lease(ch) + claimPoll + o.Interval
}
