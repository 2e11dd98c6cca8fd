package main

import (
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

func TestSlotCounter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms ...int) []time.Time {
		out := make([]time.Time, len(ms))
		for i, m := range ms {
			out[i] = t0.Add(time.Duration(m) * time.Millisecond)
		}
		return out
	}
	// The first run starts at 0.3 s, so the check's slots are at x.3 s; the
	// window [10.5 s, 13.5 s) holds three of them: 11.3, 12.3 and 13.3.
	win := window{start: t0.Add(10500 * time.Millisecond), end: t0.Add(13500 * time.Millisecond)}
	tests := []struct {
		name     string
		starts   []time.Time
		executed int64
		when     string // missedWhen of the window's three intervals
	}{
		{"on time", at(300, 10300, 11300, 12300, 13300, 14300), 3, "not within whole intervals of the window"},
		{"a slot skipped", at(300, 11300, 13300), 2, "interval 2: 1; none in the other 2"},
		{"late runs at the edges belong to their slots", at(300, 10700, 11400, 12200, 13700), 3, "not within whole intervals of the window"},
		{"two runs for one slot count once", at(300, 11300, 11450), 1, "interval 2: 1, 3: 1; none in the other 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newSlotCounter(win, time.Second, 1)
			for _, s := range tt.starts {
				c.add(checks.Result{Check: "load-0000", Started: s})
			}
			recorded, executed, _ := c.counts()
			if recorded != int64(len(tt.starts)) || executed != tt.executed {
				t.Errorf("recorded %d, executed %d; want %d, %d", recorded, executed, len(tt.starts), tt.executed)
			}
			if got := missedWhen(c.missedBy(1)); got != tt.when {
				t.Errorf("missed when %q, want %q", got, tt.when)
			}
		})
	}
}
