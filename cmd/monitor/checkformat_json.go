package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/authmon/monitor/internal/checks"
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
	Probes   []reportProbe   `json:"probes"`
}

// reportFailure names one assertion, as the API's "failing" entries.
type reportFailure struct {
	Probe     string `json:"probe"`
	Assertion string `json:"assertion"`
	Ref       string `json:"ref"`
	Severity  string `json:"severity"`
	Reason    string `json:"reason"`
}

// reportProbe is one request and its evidence, as the API's run probes.
type reportProbe struct {
	Kind              string            `json:"kind"`
	Method            string            `json:"method"`
	URL               string            `json:"url"`
	Status            int               `json:"status"` // 0: no answer
	StatusText        string            `json:"status_text,omitempty"`
	LatencyMS         float64           `json:"latency_ms"`
	Timing            reportTiming      `json:"timing"`
	Error             string            `json:"error,omitempty"`
	Skipped           string            `json:"skipped,omitempty"` // why the probe was not sent
	Challenges        []string          `json:"challenges"`        // WWW-Authenticate as received
	ChallengeProblems []string          `json:"challenge_problems"`
	Headers           []checks.Header   `json:"headers"`
	Body              string            `json:"body"` // the start of the body
	BodyTruncated     bool              `json:"body_truncated"`
	Assertions        []reportAssertion `json:"assertions"`
}

// reportTiming is where a probe's time went, in milliseconds.
type reportTiming struct {
	DNSMS       float64 `json:"dns_ms"`
	ConnectMS   float64 `json:"connect_ms"`
	TLSMS       float64 `json:"tls_ms"`
	FirstByteMS float64 `json:"first_byte_ms"`
	TotalMS     float64 `json:"total_ms"`
	Reused      bool    `json:"reused"`
}

// reportAssertion is the API's assertion plus whether it was waived.
type reportAssertion struct {
	ID        string `json:"id"`
	Ref       string `json:"ref"`
	Severity  string `json:"severity"`
	Pass      bool   `json:"pass"`
	Waived    bool   `json:"waived"`
	Expected  string `json:"expected"`
	Got       string `json:"got"`
	Reason    string `json:"reason"`
	Deviation string `json:"deviation,omitempty"`
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
		Blocking: cr.blocking(i), Failing: []reportFailure{}, Waived: []reportFailure{}, Probes: []reportProbe{}}
	for _, p := range r.Probes {
		rp := newReportProbe(cr, p, c.Ignore)
		for _, a := range p.Assertions {
			f := reportFailure{Probe: string(p.Kind), Assertion: a.ID, Ref: a.Ref, Severity: a.Severity.String(), Reason: a.Reason}
			if !a.Pass {
				out.Failing = append(out.Failing, f)
			} else if waived(a, c.Ignore) {
				out.Waived = append(out.Waived, f)
			}
		}
		out.Probes = append(out.Probes, rp)
	}
	return out
}

func newReportProbe(cr checkRun, p checks.ProbeResult, ignore []string) reportProbe {
	t := p.Timing
	out := reportProbe{Kind: string(p.Kind), Method: p.Method, URL: cr.Red.URL(p.URL), Status: p.Status,
		StatusText: p.StatusText, LatencyMS: millis(p.Latency), Error: p.Error, Skipped: p.Skipped,
		Timing: reportTiming{DNSMS: millis(t.DNS), ConnectMS: millis(t.Connect), TLSMS: millis(t.TLS),
			FirstByteMS: millis(t.FirstByte), TotalMS: millis(t.Total), Reused: t.Reused},
		Challenges: orEmpty(p.ChallengeRaw), ChallengeProblems: orEmpty(p.ChallengeProblems),
		Headers: append([]checks.Header{}, p.Headers...), Body: p.Body, BodyTruncated: p.BodyTruncated,
		Assertions: make([]reportAssertion, 0, len(p.Assertions))}
	for _, a := range p.Assertions {
		out.Assertions = append(out.Assertions, reportAssertion{ID: a.ID, Ref: a.Ref, Severity: a.Severity.String(),
			Pass: a.Pass, Waived: waived(a, ignore), Expected: a.Expected, Got: a.Got, Reason: a.Reason, Deviation: a.Deviation})
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
