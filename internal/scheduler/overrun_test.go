package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestCheckOverrun (item 11): validate warns when timeout × requests of a
// run exceeds the interval, counting login and token fetches.
func TestCheckOverrun(t *testing.T) {
	all := func(kinds ...checks.ProbeKind) []checks.ProbeSpec {
		out := make([]checks.ProbeSpec, 0, len(kinds))
		for _, k := range kinds {
			out = append(out, checks.ProbeSpec{Kind: k})
		}
		return out
	}
	src := checks.NewLoginSource(checks.LoginSpec{URL: "http://127.0.0.1:1/login"}, "u", "p")
	tests := []struct {
		name     string
		ch       checks.Check
		over     bool
		requests int
		interval time.Duration
	}{
		{"fits", checks.Check{Schedule: "@every 30s", Timeout: 5 * time.Second,
			Probes: all(checks.ProbeValid, checks.ProbeMissing)}, false, 3, 30 * time.Second},
		{"seven probes of 10s every 30s", checks.Check{Schedule: "@every 30s", Timeout: 10 * time.Second,
			Probes: all(checks.ProbeKinds...)}, true, 8, 30 * time.Second},
		{"a login source counts its fetches", checks.Check{Schedule: "@every 1m", Timeout: 10 * time.Second,
			Probes: all(checks.ProbeValid, checks.ProbeMissing), Auth: checks.Credential{Kind: checks.AuthLogin, Source: src}},
			false, 6, time.Minute},
		{"cron spec: its shortest gap", checks.Check{Schedule: "*/5 9-17 * * 1-5", Timeout: time.Minute,
			Probes: all(checks.ProbeKinds...)}, true, 8, 5 * time.Minute},
		{"enumeration sends 2 × samples", checks.Check{Kind: checks.KindLogin, Schedule: "@every 1m", Timeout: 5 * time.Second,
			Enumeration: &checks.EnumerationSpec{Samples: 10}}, true, 22, time.Minute},
		{"no interval to exceed", checks.Check{Schedule: "not a schedule", Timeout: time.Hour,
			Probes: all(checks.ProbeKinds...)}, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, over := CheckOverrun(tt.ch)
			if over != tt.over || o.Requests != tt.requests || o.Interval != tt.interval {
				t.Fatalf("CheckOverrun = %+v, %v; want over=%v requests=%d interval=%s", o, over, tt.over, tt.requests, tt.interval)
			}
			if over && (o.Worst != time.Duration(o.Requests)*o.Timeout || !strings.Contains(o.String(), "skipped")) {
				t.Errorf("worst %s, text %q", o.Worst, o.String())
			}
		})
	}
}

// TestTakeoverBound: a fleet's lease is the worst-case run plus 2 s, and a
// location resumes a dead instance's check within lease + claim poll + one
// interval (the README's promise, and TestFleet's bound).
func TestTakeoverBound(t *testing.T) {
	ch := checks.Check{Schedule: "@every 1s", Timeout: time.Second,
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeMissing}}}
	if got, want := Lease(ch), 5*time.Second; got != want { // 3 requests × 1 s + 2 s
		t.Errorf("Lease = %s, want %s", got, want)
	}
	if got, want := TakeoverBound(ch), 6200*time.Millisecond; got != want {
		t.Errorf("TakeoverBound = %s, want %s", got, want)
	}
	ch.Timeout = 0 // the default wait
	if got := Lease(ch); got != 3*defaultWait+leaseMargin {
		t.Errorf("Lease without a timeout = %s", got)
	}
}
