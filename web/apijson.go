package web

import (
	"strconv"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/internal/store"
)

// The API's documents. Each field is picked one by one from the domain
// types, so a field added there later is not published until someone
// decides it is safe.

// apiCheck is one configured check and where it stands.
type apiCheck struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Group    string `json:"group"`
	Method   string `json:"method"`
	URL      string `json:"url"` // credentials and configured secrets removed
	Schedule string `json:"schedule"`
	// InsecureSkipVerify: the check does not verify its target's TLS
	// certificate ([check.tls] insecure_skip_verify).
	InsecureSkipVerify bool `json:"insecure_skip_verify"`
	// State is passing, failing, or pending (never run).
	State string `json:"state"`
	// Severity is the worst failure of the latest run; "none" when passing.
	Severity     string       `json:"severity"`
	Since        time.Time    `json:"since,omitzero"` // when State began
	Flapping     bool         `json:"flapping"`
	LastRun      *apiRunRef   `json:"last_run"`      // null before the first run
	Failing      []apiFailure `json:"failing"`       // the latest run's failed assertions
	OpenIncident *int64       `json:"open_incident"` // its id; null when none
	// Locations is each location's latest verdict, in a fleet; empty for
	// a single monitor (apifleet.go).
	Locations []apiLocation `json:"locations"`
}

type apiRunRef struct {
	ID         int64     `json:"id"`
	Started    time.Time `json:"started"`
	DurationMS float64   `json:"duration_ms"`
	Passed     bool      `json:"passed"`
}

type apiFailure struct {
	Probe     string `json:"probe"`
	Assertion string `json:"assertion"`
	Ref       string `json:"ref"`
	Severity  string `json:"severity"`
	Reason    string `json:"reason"`
}

// apiCheckDetail is one check with its probes and uptime windows.
type apiCheckDetail struct {
	apiCheck
	Probes []string    `json:"probes"`
	Uptime []apiWindow `json:"uptime"`
}

type apiWindow struct {
	Window string `json:"window"` // 24h, 7d, 30d, 365d
	Runs   int64  `json:"runs"`
	Failed int64  `json:"failed"`
	// UptimePercent is the share of passing runs; null without runs.
	UptimePercent *float64 `json:"uptime_percent"`
	P50MS         float64  `json:"p50_ms"`
	P95MS         float64  `json:"p95_ms"`
	P99MS         float64  `json:"p99_ms"`
}

func newAPICheck(c checks.Check, sum store.CheckSummary, ran bool, red *redact.Redactor) apiCheck {
	out := apiCheck{Name: c.Name, Kind: checkKind(c), Group: c.Group, Method: c.Method,
		URL: red.URL(c.URL), Schedule: c.Schedule, InsecureSkipVerify: c.Conn.InsecureSkipVerify, State: "pending", Severity: "none",
		Failing: []apiFailure{}, Locations: []apiLocation{}}
	if !ran || sum.Last == nil {
		return out
	}
	st := sum.State
	out.State, out.Since, out.Flapping = string(st.Status), st.Since.Truncate(time.Millisecond), st.Flapping
	if st.Status == alert.StatusUnknown {
		out.State = "pending"
	}
	last := sum.Last
	out.LastRun = &apiRunRef{ID: last.ID, Started: last.Started, DurationMS: millis(last.Duration), Passed: last.Passed()}
	out.Severity = last.Severity().String()
	for _, f := range last.Failures() {
		out.Failing = append(out.Failing, apiFailure{Probe: string(f.Probe), Assertion: f.Assertion.ID,
			Ref: f.Assertion.Ref, Severity: f.Assertion.Severity.String(), Reason: f.Assertion.Reason})
	}
	if st.Incident != nil && st.Incident.Open() && st.Incident.ID != 0 {
		id := st.Incident.ID
		out.OpenIncident = &id
	}
	return out
}

func newAPIWindow(w store.Window) apiWindow {
	out := apiWindow{Window: spanName(w.Span), Runs: w.Runs, Failed: w.Failed,
		P50MS: millis(w.P50), P95MS: millis(w.P95), P99MS: millis(w.P99)}
	if w.Runs > 0 {
		u := w.Uptime()
		out.UptimePercent = &u
	}
	return out
}

// spanName is "24h", "7d", "30d", "365d".
func spanName(d time.Duration) string {
	if d < 48*time.Hour {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
}

// millis is a duration in milliseconds, to the microsecond.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// apiRuns is one page of runs, newest first; Next is the path of the
// following page, empty on the last one.
type apiRuns struct {
	Runs []apiRun `json:"runs"`
	Next string   `json:"next,omitempty"`
}

// apiRun is one run with every probe's evidence, as stored (redacted).
type apiRun struct {
	ID         int64     `json:"id"`
	Started    time.Time `json:"started"`
	DurationMS float64   `json:"duration_ms"`
	Passed     bool      `json:"passed"`
	Severity   string    `json:"severity"`
	// Location is where the run probed from, in a fleet.
	Location string `json:"location,omitempty"`
	// EvidenceFrom is set when this passing run showed the same outcomes as
	// an earlier one and shares that run's evidence.
	EvidenceFrom time.Time `json:"evidence_from,omitzero"`
	// Repeats counts the later passing runs with the same outcome folded
	// into this one (README "Storage"): LastStarted is when the newest of
	// them started, MaxDurationMS the slowest of the row's runs.
	Repeats       int64      `json:"repeats,omitempty"`
	LastStarted   time.Time  `json:"last_started,omitzero"`
	MaxDurationMS float64    `json:"max_duration_ms,omitempty"`
	Probes        []APIProbe `json:"probes"`
}

// APIProbe is one request of a run and its evidence, as the JSON API and
// `monitor check -format json` write it.
type APIProbe struct {
	Kind              string         `json:"kind"`
	Method            string         `json:"method"`
	URL               string         `json:"url"`
	Status            int            `json:"status"` // 0: no answer
	StatusText        string         `json:"status_text,omitempty"`
	LatencyMS         float64        `json:"latency_ms"`
	Timing            APITiming      `json:"timing"`
	Error             string         `json:"error,omitempty"`
	Skipped           string         `json:"skipped,omitempty"` // why the probe was not sent
	Challenges        []string       `json:"challenges"`        // WWW-Authenticate as received
	ChallengeProblems []string       `json:"challenge_problems"`
	Headers           []APIHeader    `json:"headers"`
	Body              string         `json:"body"` // the start of the body
	BodyTruncated     bool           `json:"body_truncated"`
	Assertions        []APIAssertion `json:"assertions"`
}

// APITiming is where a probe's time went, in milliseconds; a phase that did
// not happen (DNS or connect on a reused connection) is 0.
type APITiming struct {
	DNSMS       float64 `json:"dns_ms"`
	ConnectMS   float64 `json:"connect_ms"`
	TLSMS       float64 `json:"tls_ms"`
	FirstByteMS float64 `json:"first_byte_ms"`
	TotalMS     float64 `json:"total_ms"`
	Reused      bool    `json:"reused"`
}

// APIHeader is one header as recorded (credentials redacted).
type APIHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// APIAssertion is one judged assertion; Waived: it failed and passes only
// because the check's ignore list waives it.
type APIAssertion struct {
	ID       string `json:"id"`
	Ref      string `json:"ref"`
	Severity string `json:"severity"`
	Pass     bool   `json:"pass"`
	Waived   bool   `json:"waived"`
	// Insecure: A4 of a check with insecure_skip_verify, passed only
	// because certificate verification is off; Deviation says why.
	Insecure  bool   `json:"insecure"`
	Expected  string `json:"expected"`
	Got       string `json:"got"`
	Reason    string `json:"reason"`
	Deviation string `json:"deviation,omitempty"`
}

func newAPIRun(r store.Run, red *redact.Redactor) apiRun {
	out := apiRun{ID: r.ID, Started: r.Started, DurationMS: millis(r.Duration), Passed: r.Passed(),
		Severity: r.Severity().String(), Location: r.Location, EvidenceFrom: r.EvidenceFrom, Repeats: r.Repeats,
		LastStarted: r.LastStarted, MaxDurationMS: millis(r.MaxDuration), Probes: make([]APIProbe, 0, len(r.Probes))}
	for _, p := range r.Probes {
		out.Probes = append(out.Probes, NewAPIProbe(p, red))
	}
	return out
}

// NewAPIProbe is p as the JSON API writes it, its URL through red.
func NewAPIProbe(p checks.ProbeResult, red *redact.Redactor) APIProbe {
	ap := APIProbe{Kind: string(p.Kind), Method: p.Method, URL: red.URL(p.URL), Status: p.Status,
		StatusText: p.StatusText, LatencyMS: millis(p.Latency), Error: p.Error, Skipped: p.Skipped, Timing: APITiming{
			DNSMS: millis(p.Timing.DNS), ConnectMS: millis(p.Timing.Connect), TLSMS: millis(p.Timing.TLS),
			FirstByteMS: millis(p.Timing.FirstByte), TotalMS: millis(p.Timing.Total), Reused: p.Timing.Reused}, Challenges: orEmpty(p.ChallengeRaw),
		ChallengeProblems: orEmpty(p.ChallengeProblems), Headers: make([]APIHeader, 0, len(p.Headers)),
		Body: p.Body, BodyTruncated: p.BodyTruncated, Assertions: make([]APIAssertion, 0, len(p.Assertions))}
	for _, hd := range p.Headers {
		ap.Headers = append(ap.Headers, APIHeader{hd.Name, hd.Value})
	}
	for _, a := range p.Assertions {
		ap.Assertions = append(ap.Assertions, APIAssertion{ID: a.ID, Ref: a.Ref, Severity: a.Severity.String(),
			Pass: a.Pass, Waived: a.Waived(), Insecure: a.Insecure(), Expected: a.Expected, Got: a.Got, Reason: a.Reason, Deviation: a.Deviation})
	}
	return ap
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiIncident is one incident; Notifications only on the incident's own
// route.
type apiIncident struct {
	ID           int64           `json:"id"`
	Check        string          `json:"check"`
	State        string          `json:"state"` // open or resolved
	Severity     string          `json:"severity"`
	Opened       time.Time       `json:"opened"`
	Resolved     time.Time       `json:"resolved,omitzero"`
	DurationS    float64         `json:"duration_s"` // until resolved, or until now
	Silenced     bool            `json:"silenced"`
	FirstFailRun int64           `json:"first_fail_run"`
	LastFailRun  int64           `json:"last_fail_run"`
	BeforeRun    int64           `json:"before_run,omitempty"` // last passing run before it
	Regressions  []apiRegression `json:"regressions"`
	// LatestNotification is the last alert queued for it; null if none.
	LatestNotification *apiNotification  `json:"latest_notification"`
	Notifications      []apiNotification `json:"notifications,omitzero"`
}

type apiRegression struct {
	Probe     string `json:"probe"`
	Assertion string `json:"assertion"`
	Ref       string `json:"ref"`
	Severity  string `json:"severity"`
	Before    string `json:"before"` // what the last passing run got; "" unknown
	Got       string `json:"got"`
	Reason    string `json:"reason"`
}

type apiNotification struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"` // opened, updated, reminder, resolved, flapping, calm, test
	Created  time.Time `json:"created"`
	State    string    `json:"state"` // queued, retrying, sent or failed
	Attempts int       `json:"attempts"`
	Sent     time.Time `json:"sent,omitzero"`
	NextTry  time.Time `json:"next_try,omitzero"` // while queued or retrying
	// LastError is the latest failure, redacted.
	LastError string `json:"last_error,omitempty"`
}

func newAPIIncident(rec store.IncidentRecord, now time.Time, withNotes bool) apiIncident {
	inc := rec.Incident
	end, state := now, "open"
	if !inc.Open() {
		end, state = inc.Resolved, "resolved"
	}
	out := apiIncident{ID: inc.ID, Check: inc.Check, State: state, Severity: inc.Severity.String(), Opened: inc.Opened.Truncate(time.Millisecond),
		Resolved: inc.Resolved.Truncate(time.Millisecond), DurationS: max(end.Sub(inc.Opened), 0).Seconds(), Silenced: inc.Silenced,
		FirstFailRun: inc.FirstFailRun, LastFailRun: inc.LastFailRun, BeforeRun: inc.BeforeRun,
		Regressions: make([]apiRegression, 0, len(inc.Regressions))}
	for _, rg := range inc.Regressions {
		a := rg.Failure.Assertion
		out.Regressions = append(out.Regressions, apiRegression{Probe: string(rg.Failure.Probe), Assertion: a.ID,
			Ref: a.Ref, Severity: a.Severity.String(), Before: rg.Before, Got: a.Got, Reason: a.Reason})
	}
	if rec.Latest != nil {
		n := newAPINotification(*rec.Latest)
		out.LatestNotification = &n
	}
	if withNotes {
		out.Notifications = make([]apiNotification, 0, len(rec.Notifications))
		for _, n := range rec.Notifications {
			out.Notifications = append(out.Notifications, newAPINotification(n))
		}
	}
	return out
}

func newAPINotification(n store.Notification) apiNotification {
	out := apiNotification{ID: n.ID, Kind: string(n.Event.Kind), Created: n.Created, Attempts: n.Attempts,
		Sent: n.Sent, LastError: n.LastError}
	switch {
	case !n.Sent.IsZero():
		out.State = "sent"
	case n.Failed:
		out.State = "failed"
	case n.Attempts > 0:
		out.State, out.NextTry = "retrying", n.NextTry
	default:
		out.State, out.NextTry = "queued", n.NextTry
	}
	return out
}
