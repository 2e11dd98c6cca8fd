package alert

import (
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

func run(at time.Time, failing ...string) checks.Result {
	res := checks.Result{Check: "api", Started: at}
	p := checks.ProbeResult{Kind: checks.ProbeMissing, Assertions: []checks.Assertion{{ID: "C1", Pass: true, Severity: checks.SevConf}}}
	for _, id := range failing {
		sev := checks.SevConf
		if id == "B1" {
			sev = checks.SevCritical
		}
		p.Assertions = append(p.Assertions, checks.Assertion{ID: id, Pass: false, Severity: sev})
	}
	res.Probes = []checks.ProbeResult{p}
	return res
}

func TestEvaluate(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	t1 := t0.Add(14 * time.Minute)
	failing := State{Check: "api", Status: StatusFailing, Since: t0, Severity: checks.SevCritical, Failing: []string{"missing/B1"}}
	passing := State{Check: "api", Status: StatusPassing, Since: t0}
	cases := []struct {
		name      string
		prev      State
		res       checks.Result
		wantState Status
		wantKind  Kind // "" = no event
		wantSince time.Time
		wantSev   checks.Severity
	}{
		{"first run passes: quiet", State{}, run(t1), StatusPassing, "", t1, checks.SevNone},
		{"first run fails: alert", State{}, run(t1, "B1"), StatusFailing, KindRegressed, t1, checks.SevCritical},
		{"still passing: quiet", passing, run(t1), StatusPassing, "", t0, checks.SevNone},
		{"passing to failing: alert", passing, run(t1, "B1"), StatusFailing, KindRegressed, t1, checks.SevCritical},
		{"still failing: quiet", failing, run(t1, "B1"), StatusFailing, "", t0, checks.SevCritical},
		{"still failing, other assertion: quiet", failing, run(t1, "C6"), StatusFailing, "", t0, checks.SevConf},
		{"failing to passing: recovery", failing, run(t1), StatusPassing, KindRecovered, t1, checks.SevNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next, ev := Evaluate(c.prev, c.res)
			if next.Status != c.wantState || !next.Since.Equal(c.wantSince) || next.Severity != c.wantSev {
				t.Fatalf("state = %+v, want %s since %s severity %s", next, c.wantState, c.wantSince, c.wantSev)
			}
			if (ev == nil) != (c.wantKind == "") || (ev != nil && ev.Kind != c.wantKind) {
				t.Fatalf("event = %+v, want %q", ev, c.wantKind)
			}
		})
	}
}

func TestEvaluateEventContents(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	_, ev := Evaluate(State{Status: StatusPassing}, run(t0, "B1"))
	if ev.Check != "api" || ev.Severity != checks.SevCritical || len(ev.Failures) != 1 || ev.Failures[0].Assertion.ID != "B1" {
		t.Fatalf("regression event = %+v", ev)
	}
	failing, _ := Evaluate(State{}, run(t0, "B1"))
	_, rec := Evaluate(failing, run(t0.Add(14*time.Minute)))
	if rec.Kind != KindRecovered || !rec.Since.Equal(t0) || rec.At.Sub(rec.Since) != 14*time.Minute || rec.Severity != checks.SevCritical {
		t.Fatalf("recovery event = %+v", rec)
	}
}
