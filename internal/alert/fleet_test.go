package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// probes is one probe of GET /me with the given failed assertion ids (and
// their severities); none failed when ids is empty.
func probes(fails map[string]checks.Severity) []checks.ProbeResult {
	p := checks.ProbeResult{Kind: "missing", Method: "GET", URL: "https://api/me",
		Assertions: []checks.Assertion{{ID: "A1", Pass: true}}}
	for id, sev := range fails {
		p.Assertions = append(p.Assertions, checks.Assertion{ID: id, Severity: sev, Reason: id + " failed"})
	}
	return []checks.ProbeResult{p}
}

func locRun(loc string, at time.Time, fails map[string]checks.Severity) checks.Result {
	return checks.Result{Check: "api", Started: at, Location: loc, Probes: probes(fails)}
}

func verdict(loc string, at time.Time, fails map[string]checks.Severity) LocationVerdict {
	return LocationVerdict{Location: loc, At: at, Probes: probes(fails)}
}

var rule = FleetRule{Locations: []string{"eu", "us", "ap"}, StaleAfter: 5 * time.Second}

func TestAggregate(t *testing.T) {
	avail := map[string]checks.Severity{"A2": checks.SevAvail}
	bypass := map[string]checks.Severity{"B1": checks.SevCritical}
	for _, tc := range []struct {
		name       string
		res        checks.Result
		others     []LocationVerdict
		rule       FleetRule
		wantFail   []string // failure reasons of the aggregate, in order
		wantStatus string   // location:status, joined
	}{
		{name: "a bypass seen from one location counts at once",
			res:    locRun("eu", t0, bypass),
			others: []LocationVerdict{verdict("us", t0.Add(-time.Second), nil), verdict("ap", t0.Add(-time.Second), nil)},
			rule:   rule, wantFail: []string{"from eu: B1 failed"}, wantStatus: "ap:passing eu:failing us:passing"},
		{name: "an availability failure from one of three locations does not",
			res:    locRun("eu", t0, avail),
			others: []LocationVerdict{verdict("us", t0.Add(-time.Second), nil), verdict("ap", t0.Add(-time.Second), nil)},
			rule:   rule, wantFail: nil, wantStatus: "ap:passing eu:failing us:passing"},
		{name: "two of three make the quorum",
			res:    locRun("eu", t0, avail),
			others: []LocationVerdict{verdict("us", t0.Add(-time.Second), avail), verdict("ap", t0.Add(-time.Second), nil)},
			rule:   rule, wantFail: []string{"from eu, us: A2 failed"}, wantStatus: "ap:passing eu:failing us:failing"},
		{name: "a stale location never votes, and is reported",
			res:    locRun("eu", t0, avail),
			others: []LocationVerdict{verdict("us", t0.Add(-time.Minute), avail), verdict("ap", t0.Add(-time.Second), nil)},
			rule:   rule, wantFail: nil, wantStatus: "ap:passing eu:failing us:stale"},
		{name: "alone among fresh locations, one location is the quorum",
			res:  locRun("eu", t0, avail),
			rule: rule, wantFail: []string{"from eu: A2 failed"}, wantStatus: "ap:stale eu:failing us:stale"},
		{name: "a clean run keeps what another location still sees",
			res:    locRun("us", t0, nil),
			others: []LocationVerdict{verdict("eu", t0.Add(-time.Second), bypass), verdict("ap", t0.Add(-time.Second), nil)},
			rule:   rule, wantFail: []string{"from eu: B1 failed"}, wantStatus: "ap:passing eu:failing us:passing"},
		{name: "a configured quorum of 3",
			res:    locRun("eu", t0, avail),
			others: []LocationVerdict{verdict("us", t0.Add(-time.Second), avail), verdict("ap", t0.Add(-time.Second), nil)},
			rule:   FleetRule{Locations: rule.Locations, Quorum: 3, StaleAfter: rule.StaleAfter}, wantFail: nil,
			wantStatus: "ap:passing eu:failing us:failing"},
		{name: "a location the check does not run from does not vote",
			res:      locRun("eu", t0, avail),
			others:   []LocationVerdict{verdict("us", t0.Add(-time.Second), avail)},
			rule:     FleetRule{Locations: []string{"eu", "ap"}, StaleAfter: rule.StaleAfter},
			wantFail: []string{"from eu: A2 failed"}, wantStatus: "ap:stale eu:failing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			agg, status := Aggregate(tc.res, tc.others, tc.rule)
			var got []string
			for _, f := range agg.Failures() {
				got = append(got, f.Assertion.Reason)
			}
			if strings.Join(got, "|") != strings.Join(tc.wantFail, "|") {
				t.Errorf("failures %q, want %q", got, tc.wantFail)
			}
			var st []string
			for _, s := range status {
				st = append(st, s.Location+":"+s.Status)
			}
			if strings.Join(st, " ") != tc.wantStatus {
				t.Errorf("status %q, want %q", strings.Join(st, " "), tc.wantStatus)
			}
			if tc.res.Probes[0].Assertions[len(tc.res.Probes[0].Assertions)-1].Reason != strings.TrimPrefix(tc.res.Probes[0].Assertions[len(tc.res.Probes[0].Assertions)-1].Reason, "from ") {
				t.Error("Aggregate changed the run it was given")
			}
		})
	}
}

// TestAggregateBelowQuorumExplains: a failure kept as passing says why.
func TestAggregateBelowQuorumExplains(t *testing.T) {
	agg, _ := Aggregate(locRun("eu", t0, map[string]checks.Severity{"A2": checks.SevAvail}),
		[]LocationVerdict{verdict("us", t0, nil)}, FleetRule{Locations: []string{"eu", "us"}, StaleAfter: time.Minute})
	a := agg.Probes[0].Assertions[1]
	if !a.Pass || !strings.Contains(a.Deviation, "failing only from eu (1 of 2 fresh locations; the quorum is 2)") {
		t.Fatalf("%+v", a)
	}
}

// TestDecideFleetOpensOnceAcrossLocations: runs from two locations folded
// in turn open one incident for a bypass and resolve it once both pass.
func TestDecideFleetOpensOnceAcrossLocations(t *testing.T) {
	var st State
	p := DefaultPolicy()
	bypass := map[string]checks.Severity{"B1": checks.SevCritical}
	latest := map[string]LocationVerdict{}
	var kinds []Kind
	step := func(loc string, at time.Time, fails map[string]checks.Severity) {
		res := locRun(loc, at, fails)
		var others []LocationVerdict
		for l, v := range latest {
			if l != loc {
				others = append(others, v)
			}
		}
		agg, _ := Aggregate(res, others, FleetRule{Locations: []string{"eu", "us"}, StaleAfter: 5 * time.Second})
		var evs []Event
		st, _, evs = Decide(st, agg, at.Unix(), p)
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		latest[loc] = verdict(loc, at, fails)
	}
	step("eu", t0, nil)
	step("us", t0.Add(500*time.Millisecond), nil)
	step("eu", t0.Add(time.Second), bypass)
	step("us", t0.Add(1500*time.Millisecond), nil) // us does not see it yet: still open
	step("eu", t0.Add(2*time.Second), bypass)
	step("us", t0.Add(2500*time.Millisecond), bypass)
	step("eu", t0.Add(3*time.Second), nil) // us still sees it
	step("us", t0.Add(3500*time.Millisecond), nil)
	for i := range 4 {
		step("eu", t0.Add(time.Duration(4+i)*time.Second), nil)
	}
	var opened, resolved int
	for _, k := range kinds {
		switch k {
		case KindOpened:
			opened++
		case KindResolved:
			resolved++
		}
	}
	if opened != 1 || resolved != 1 {
		t.Fatalf("events %v: want one opened and one resolved", kinds)
	}
}
