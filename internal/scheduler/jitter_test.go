package scheduler

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/checks"
)

var base = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mustParse(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := checks.ParseSchedule(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOffsetIsDeterministicAndInRange(t *testing.T) {
	for _, name := range []string{"a", "api login", "check-0001", "check-0002", "ÜBER/…"} {
		for _, window := range []time.Duration{time.Second, 30 * time.Second, time.Hour, 24 * time.Hour} {
			t.Run(fmt.Sprintf("%s/%s", name, window), func(t *testing.T) {
				o := offset(name, window)
				if o < 0 || o >= window {
					t.Fatalf("offset %s outside [0, %s)", o, window)
				}
				if again := offset(name, window); again != o {
					t.Fatalf("offset %s, then %s", o, again)
				}
			})
		}
	}
}

// TestEveryKeepsCadence: runs at base + offset + k·D, the first within one
// interval of the start, each exactly D after the one before.
func TestEveryKeepsCadence(t *testing.T) {
	cases := []struct {
		name, spec string
		every      time.Duration
	}{
		{"api", "@every 1s", time.Second},
		{"login", "@every 30s", 30 * time.Second},
		{"billing", "@every 1h", time.Hour},
		{"odd", "@every 1m30s", 90 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			j := newJittered(tc.name, mustParse(t, tc.spec), base)
			first := j.Next(base.Add(time.Nanosecond))
			if d := first.Sub(base); d <= 0 || d > tc.every || d != j.offset && d != tc.every {
				t.Fatalf("first run %s after the start (offset %s)", d, j.offset)
			}
			prev := first
			for range 100 {
				// Asking from anywhere inside the interval gives the same slot.
				next := j.Next(prev.Add(tc.every / 3))
				if next.Sub(prev) != tc.every || j.Next(next.Add(-time.Nanosecond)) != next {
					t.Fatalf("after %s came %s, want %s later", prev, next, tc.every)
				}
				if (next.Sub(base)-j.offset)%tc.every != 0 {
					t.Fatalf("%s is not start + offset + k·interval", next)
				}
				prev = next
			}
		})
	}
}

// TestCronSpecOffset: a cron spec fires at its cron time plus a fixed offset
// below a minute.
func TestCronSpecOffset(t *testing.T) {
	for _, spec := range []string{"*/5 * * * *", "@hourly", "0 2 * * SUN", "30 9 1 * *"} {
		t.Run(spec, func(t *testing.T) {
			inner := mustParse(t, spec)
			j := newJittered("api "+spec, inner, base)
			if j.offset < 0 || j.offset >= time.Minute {
				t.Fatalf("offset %s", j.offset)
			}
			at := base
			for range 20 {
				next := j.Next(at)
				cronTime := inner.Next(at.Add(-j.offset))
				if next.Sub(cronTime) != j.offset || !next.After(at) {
					t.Fatalf("Next(%s) = %s, cron time %s, offset %s", at, next, cronTime, j.offset)
				}
				at = next
			}
		})
	}
}

// TestThousandChecksSpreadOverTheSecond: 1,000 checks at @every 1s fire over
// the whole second, not at :00.
func TestThousandChecksSpreadOverTheSecond(t *testing.T) {
	var tenths [10]int
	steps := make([]int, time.Second/minSlotStep) // the steps of the offsets
	sched := mustParse(t, "@every 1s")
	for i := range 1000 {
		j := newJittered(fmt.Sprintf("check-%04d", i), sched, base)
		o := j.Next(base.Add(5*time.Second)).Sub(base) % time.Second
		if o%minSlotStep != 0 {
			t.Fatalf("offset %v is not a multiple of %v", o, minSlotStep)
		}
		tenths[o/(100*time.Millisecond)]++
		steps[o/minSlotStep]++
	}
	for i, n := range tenths { // 100 expected; ±40 is over 4 standard deviations
		if n < 60 || n > 140 {
			t.Errorf("%d checks fire in tenth %d of the second: %v", n, i, tenths)
		}
	}
	want := 1000 / len(steps) // per step; a bound over 4 standard deviations above
	most := want + int(4*math.Sqrt(float64(want))) + 1
	for i, n := range steps {
		if n > most {
			t.Errorf("%d checks fire at step %d (%d expected, at most %d)", n, i, want, most)
		}
	}
}

// TestDue: a run learns the slot it was scheduled for, whether or not cron
// already asked for the following one.
func TestDue(t *testing.T) {
	j := newJittered("api", mustParse(t, "@every 10s"), base)
	if !j.due(base).IsZero() {
		t.Fatal("due before any Next")
	}
	first := j.Next(base)
	if got := j.due(first.Add(time.Millisecond)); got != first {
		t.Fatalf("due = %s, want %s", got, first)
	}
	second := j.Next(first) // cron asks for the next slot as it starts the run
	if got := j.due(first.Add(2 * time.Millisecond)); got != first {
		t.Fatalf("due = %s, want %s", got, first)
	}
	if got := j.due(second.Add(time.Millisecond)); got != second {
		t.Fatalf("due = %s, want %s", got, second)
	}
}
