// Package alert decides when a check's behaviour has regressed or recovered
// (Evaluate, pure) and delivers the resulting events to Slack or the log.
package alert

import (
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// Status is a check's alerting state.
type Status string

const (
	StatusUnknown Status = ""        // never run
	StatusPassing Status = "passing" // last run passed every assertion
	StatusFailing Status = "failing" // last run failed at least one assertion
)

// State is what the monitor remembers about a check between runs. It lives in
// the store so that a restart neither forgets a regression nor alerts again.
type State struct {
	Check    string
	Status   Status
	Since    time.Time       // when Status last changed
	Severity checks.Severity // worst failed assertion while failing
	// Failing lists the "probe/assertion" keys that fail, sorted; a change of
	// this set while failing is not a new alert in this version.
	Failing []string
}

// Kind says what an event announces.
type Kind string

const (
	KindRegressed Kind = "regressed"
	KindRecovered Kind = "recovered"
	KindTest      Kind = "test"
)

// Event is one notification to send. It holds only redacted evidence: it is
// stored in the outbox as JSON and rendered when delivered.
type Event struct {
	Kind     Kind            `json:"kind"`
	Check    string          `json:"check"`
	Severity checks.Severity `json:"severity"`
	At       time.Time       `json:"at"`    // start of the run that caused it
	Since    time.Time       `json:"since"` // start of the failure (recoveries)
	// Failures are the assertions that regressed (regressed events).
	Failures []checks.Failure `json:"failures,omitempty"`
	// DashboardURL links to the check's page when a public URL is configured.
	DashboardURL string `json:"dashboard_url,omitempty"`
}

// Evaluate folds one run into the previous state. It returns the next state
// and, on a change between passing and failing, the event to send. The first
// run of a check alerts only if it fails: a monitor that starts up against a
// broken endpoint must say so.
func Evaluate(prev State, res checks.Result) (State, *Event) {
	next := State{Check: res.Check, Status: StatusPassing, Since: prev.Since}
	failures := res.Failures()
	if len(failures) > 0 {
		next.Status = StatusFailing
		next.Severity = res.Severity()
		next.Failing = failureKeys(failures)
	}
	if next.Status == prev.Status {
		return next, nil
	}
	next.Since = res.Started
	switch {
	case next.Status == StatusFailing:
		return next, &Event{Kind: KindRegressed, Check: res.Check, Severity: next.Severity,
			At: res.Started, Since: res.Started, Failures: failures}
	case prev.Status == StatusFailing:
		return next, &Event{Kind: KindRecovered, Check: res.Check, Severity: prev.Severity,
			At: res.Started, Since: prev.Since}
	default: // first run, passing
		return next, nil
	}
}

func failureKeys(fs []checks.Failure) []string {
	keys := make([]string, 0, len(fs))
	for _, f := range fs {
		keys = append(keys, string(f.Probe)+"/"+f.Assertion.ID)
	}
	return keys
}
