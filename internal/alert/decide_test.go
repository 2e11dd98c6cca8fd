package alert

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/robfig/cron/v3"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// run is a run at minute m failing the given assertion ids (B1 and B2 are
// critical, others conformance).
func run(m int, failing ...string) checks.Result {
	p := checks.ProbeResult{Kind: checks.ProbeMissing, Method: "GET", URL: "https://api.example.com/me",
		Assertions: []checks.Assertion{{ID: "C2", Pass: true, Got: "a well-formed challenge"}}}
	for _, id := range failing {
		sev := checks.SevConf
		if id == "B1" || id == "B2" {
			sev = checks.SevCritical
		}
		p.Assertions = append(p.Assertions, checks.Assertion{ID: id, Pass: false, Severity: sev, Got: "200 OK", Expected: "401"})
	}
	if len(failing) == 0 {
		p.Assertions = append(p.Assertions, checks.Assertion{ID: "B1", Pass: true, Got: "401 Unauthorized"},
			checks.Assertion{ID: "C1", Pass: true, Got: "401 Unauthorized"})
	}
	return checks.Result{Check: "api", Started: t0.Add(time.Duration(m) * time.Minute), Probes: []checks.ProbeResult{p}}
}

// step is one run and what must come of it.
type step struct {
	res  checks.Result
	want string // kinds of the events, space separated; "" none
	open bool   // an incident is open afterwards
}

func play(t *testing.T, p Policy, steps []step) State {
	t.Helper()
	var st State
	for i, s := range steps {
		var inc *Incident
		var evs []Event
		st, inc, evs = Decide(st, s.res, int64(i+1), p)
		if inc != nil && inc.ID == 0 {
			inc.ID = 42 // as the store would
		}
		var kinds []string
		for _, ev := range evs {
			kinds = append(kinds, string(ev.Kind))
		}
		if got := strings.Join(kinds, " "); got != s.want {
			t.Fatalf("step %d (%s): events %q, want %q", i, s.res.Started.Format("15:04"), got, s.want)
		}
		if (st.Incident != nil) != s.open {
			t.Fatalf("step %d: incident open = %v, want %v", i, st.Incident != nil, s.open)
		}
	}
	return st
}

func TestDecide(t *testing.T) {
	def := DefaultPolicy()
	remind := def
	remind.Reminder = 10 * time.Minute
	once := def
	once.FailureThreshold, once.SuccessThreshold = 1, 1
	cases := []struct {
		name  string
		p     Policy
		steps []step
	}{
		{"healthy stays quiet", def, []step{{run(0), "", false}, {run(1), "", false}}},
		{"one failure is not an incident", def, []step{{run(0), "", false}, {run(1, "C1"), "", false}, {run(2), "", false}}},
		{"threshold opens, threshold resolves", def, []step{{run(0), "", false}, {run(1, "C1"), "", false},
			{run(2, "C1"), "opened", true}, {run(3, "C1"), "", true}, {run(4), "", true}, {run(5), "resolved", false}}},
		{"critical opens on the first occurrence", def, []step{{run(0), "", false}, {run(1, "B1"), "opened", true}}},
		{"a failing first run still waits for the threshold", def, []step{{run(0, "C1"), "", false}, {run(1, "C1"), "opened", true}}},
		{"thresholds of one", once, []step{{run(0, "C1"), "opened", true}, {run(1), "resolved", false}}},
		{"new assertion updates, same one does not", def, []step{{run(0, "C1"), "", false}, {run(1, "C1"), "opened", true},
			{run(2, "C1"), "", true}, {run(3, "C1", "C6"), "updated", true}}},
		{"severity rises: update", def, []step{{run(0, "C1"), "", false}, {run(1, "C1"), "opened", true},
			{run(2, "B1"), "updated", true}}},
		{"a pass in between keeps the incident open", def, []step{{run(0, "B1"), "opened", true}, {run(1), "", true},
			{run(2, "B1"), "", true}, {run(3), "", true}, {run(4), "resolved", false}}},
		{"reminders while open", remind, []step{{run(0, "B1"), "opened", true}, {run(5, "B1"), "", true},
			{run(10, "B1"), "reminder", true}, {run(15, "B1"), "", true}, {run(20, "B1"), "reminder", true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { play(t, c.p, c.steps) })
	}
}

func TestDecideFlapping(t *testing.T) {
	p := DefaultPolicy()
	p.FlapChanges, p.FlapWindow, p.FlapCalm = 4, 30*time.Minute, 10*time.Minute
	play(t, p, []step{
		{run(0), "", false},
		{run(1, "C1"), "", false}, // change 1
		{run(2), "", false},       // 2
		{run(3, "C1"), "", false}, // 3
		{run(4), "flapping", false},
		{run(5, "C1"), "", false},
		{run(6, "C1"), "", true}, // opens, but quietly: flapping
		{run(8, "C1"), "", true},
		{run(16, "C1"), "calm opened", true}, // stable 10 min: calm, then the quiet incident is announced
		{run(17), "", true},
		{run(18), "resolved", false},
	})
}

func TestDecideSilences(t *testing.T) {
	fixed := DefaultPolicy()
	fixed.Silences = []Silence{{Start: t0.Add(time.Minute), End: t0.Add(5 * time.Minute)}}
	st := play(t, fixed, []step{
		{run(0), "", false},
		{run(1, "B1"), "", true}, // in the window: silenced
		{run(3, "B1"), "", true},
		{run(5, "B1"), "opened", true}, // the window ended while still open: one notice
		{run(6, "B1"), "", true},
	})
	if !st.Incident.Silenced || !st.Incident.Opened.Equal(t0.Add(time.Minute)) {
		t.Fatalf("incident = %+v", st.Incident)
	}
	// Resolved within the silence without ever being announced: nothing is
	// sent, but the folded incident is recorded, to be logged.
	play(t, fixed, []step{{run(0), "", false}, {run(1, "B1"), "", true}, {run(2), "", true}, {run(3), "folded", false}})

	weekly := DefaultPolicy()
	sched, _ := cron.ParseStandard("0 12 * * *") // daily at 12:00 for 3 minutes
	weekly.Silences = []Silence{{Schedule: sched, Duration: 3 * time.Minute}}
	play(t, weekly, []step{{run(0, "B1"), "", true}, {run(2, "B1"), "", true}, {run(3, "B1"), "opened", true}})
}

func TestDecideRoutingAndEvidence(t *testing.T) {
	p := DefaultPolicy()
	p.SeverityChannels = map[checks.Severity]string{checks.SevCritical: "#sec"}
	p.Mention, p.DashboardURL = "<!here>", "https://mon.example.com/checks/api"
	var st State
	st, _, _ = Decide(st, run(0), 1, p)
	st, inc, evs := Decide(st, run(1, "B1"), 2, p)
	ev := evs[0]
	if ev.Channel != "#sec" || ev.Mention != "<!here>" || ev.DashboardURL != p.DashboardURL || inc.BeforeRun != 1 {
		t.Fatalf("event = %+v, incident %+v", ev, inc)
	}
	if r := ev.Regressions[0]; r.Key != "missing/B1" || r.Before != "401 Unauthorized" || r.Failure.Assertion.Got != "200 OK" {
		t.Fatalf("regression = %+v", r)
	}
	// A conformance incident is not mentioned and goes to the default channel.
	st, _, evs = Decide(State{}, run(0, "C1"), 1, p)
	_, _, evs = Decide(st, run(1, "C1"), 2, p)
	if evs[0].Mention != "" || evs[0].Channel != "" {
		t.Fatalf("conformance event = %+v", evs[0])
	}
	// The check's own channel wins over severity routing.
	p.Channel = "#team"
	_, _, evs = Decide(State{}, run(0, "B1"), 1, p)
	if evs[0].Channel != "#team" {
		t.Fatalf("channel = %q", evs[0].Channel)
	}
}

func TestResolvedEventSaysHowLong(t *testing.T) {
	p := DefaultPolicy()
	p.SuccessThreshold = 1
	st, _, _ := Decide(State{}, run(0, "B1"), 1, p)
	_, inc, evs := Decide(st, run(14), 2, p)
	if inc.Open() || evs[0].Resolved.Sub(evs[0].Since) != 14*time.Minute {
		t.Fatalf("resolved %+v after %s", inc, evs[0].Resolved.Sub(evs[0].Since))
	}
}

// A passing run's snapshot is what snapshot builds, whether or not it
// takes the last pass's: same values, duplicates, more or fewer assertions.
func TestPassingSnapshotIsSnapshot(t *testing.T) {
	base := run(0)
	changed := run(1)
	changed.Probes[0].Assertions[1].Got = "403 Forbidden"
	fewer := run(2)
	fewer.Probes[0].Assertions = fewer.Probes[0].Assertions[:2]
	more := run(3)
	more.Probes[0].Assertions = append(more.Probes[0].Assertions, checks.Assertion{ID: "C6", Pass: true, Got: "x"})
	dupProbe := run(4)
	dupProbe.Probes = append(dupProbe.Probes, dupProbe.Probes[0])
	dupID := run(5)
	dupID.Probes[0].Assertions = append(dupID.Probes[0].Assertions, checks.Assertion{ID: "C1", Pass: true, Got: "other"})
	otherKind := run(6)
	otherKind.Probes[0].Kind = checks.ProbeWrong
	for name, res := range map[string]checks.Result{"same": run(7), "changed": changed, "fewer": fewer, "more": more,
		"duplicate probe": dupProbe, "duplicate id": dupID, "other kind": otherKind} {
		t.Run(name, func(t *testing.T) {
			prev, _, _ := Decide(State{}, base, 1, DefaultPolicy())
			st, _, _ := Decide(prev, res, 2, DefaultPolicy())
			want := snapshot(res, 2)
			if st.LastPass == nil || st.LastPass.RunID != 2 || !st.LastPass.At.Equal(res.Started) ||
				!maps.Equal(st.LastPass.Got, want.Got) {
				t.Errorf("last pass %+v, want %+v", st.LastPass, want)
			}
		})
	}
}

// BenchmarkDecidePassing is the decision on a passing run that repeats the
// last one, nearly every run of a healthy monitor: three probes.
func BenchmarkDecidePassing(b *testing.B) {
	res := run(0)
	for _, k := range []checks.ProbeKind{checks.ProbeValid, checks.ProbeWrong} {
		p := res.Probes[0]
		p.Kind = k
		res.Probes = append(res.Probes, p)
	}
	p := DefaultPolicy()
	st, _, _ := Decide(State{}, res, 1, p)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		res.Started = res.Started.Add(time.Minute)
		st, _, _ = Decide(st, res, int64(i+2), p)
	}
}
