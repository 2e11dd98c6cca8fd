package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/web"
)

// The document of `monitor check -format json`, documented in the README.
// Field names and units follow the HTTP API (/api/checks, /api/checks/NAME/runs):
// durations in milliseconds (`_ms`), severities by name. Fields are only
// ever added.

// checkReport is the whole document.
type checkReport struct {
	// FailOn is the -fail-on threshold: "any", or a severity name.
	FailOn string `json:"fail_on"`
	// Passed, Failed and Blocking count checks; Blocking are the failed
	// ones at or above FailOn, which make ExitCode 1.
	Passed   int           `json:"passed"`
	Failed   int           `json:"failed"`
	Blocking int           `json:"blocking"`
	ExitCode int           `json:"exit_code"`
	Checks   []reportCheck `json:"checks"`
}

// reportCheck is one check's run; as /api/checks plus the run's probes.
type reportCheck struct {
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	Group      string    `json:"group"`
	Method     string    `json:"method"`
	URL        string    `json:"url"` // credentials and configured secrets removed
	Started    time.Time `json:"started"`
	DurationMS float64   `json:"duration_ms"`
	Passed     bool      `json:"passed"`
	// Severity is the worst failure; "none" when passing.
	Severity string `json:"severity"`
	// Blocking: failed at or above fail_on.
	Blocking bool            `json:"blocking"`
	Failing  []reportFailure `json:"failing"` // the failed assertions
	Waived   []reportFailure `json:"waived"`  // failed, but waived by the check's ignore list
	Probes   []web.APIProbe  `json:"probes"`  // as the API's run probes
}

// reportFailure names one assertion, as the API's "failing" entries.
type reportFailure struct {
	Probe     string `json:"probe"`
	Assertion string `json:"assertion"`
	Ref       string `json:"ref"`
	Severity  string `json:"severity"`
	Reason    string `json:"reason"`
}

func printJSON(w io.Writer, cr checkRun) error {
	passed, failed, blocking := cr.counts()
	rep := checkReport{FailOn: cr.failOnName(), Passed: passed, Failed: failed, Blocking: blocking,
		ExitCode: cr.exitCode(), Checks: make([]reportCheck, len(cr.Results))}
	for i := range cr.Results {
		rep.Checks[i] = newReportCheck(cr, i)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func newReportCheck(cr checkRun, i int) reportCheck {
	c, r := cr.Checks[i], cr.Results[i]
	kind := string(c.Kind)
	if kind == "" {
		kind = string(checks.KindProtected)
	}
	out := reportCheck{Name: c.Name, Kind: kind, Group: c.Group, Method: c.Method, URL: cr.Red.URL(c.URL),
		Started: r.Started, DurationMS: millis(r.Duration), Passed: r.Passed(), Severity: r.Severity().String(),
		Blocking: cr.blocking(i), Failing: []reportFailure{}, Waived: []reportFailure{}, Probes: []web.APIProbe{}}
	for _, p := range r.Probes {
		rp := web.NewAPIProbe(p, cr.Red)
		for _, a := range p.Assertions {
			f := reportFailure{Probe: string(p.Kind), Assertion: a.ID, Ref: a.Ref, Severity: a.Severity.String(), Reason: a.Reason}
			if !a.Pass {
				out.Failing = append(out.Failing, f)
			} else if a.Waived() {
				out.Waived = append(out.Waived, f)
			}
		}
		out.Probes = append(out.Probes, rp)
	}
	return out
}
