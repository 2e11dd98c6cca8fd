package checks

import (
	"crypto/x509"
	"strings"
	"time"
)

// Severity ranks a failed assertion, following the catalogue in the README.
// Higher is worse.
type Severity int

const (
	SevNone     Severity = iota
	SevWarn              // best practice or cosmetic
	SevConf              // standards or contract regression likely to break clients
	SevAvail             // the endpoint does not do its job
	SevHighSec           // security weakening
	SevCritical          // auth bypass or credential exposure
)

var severityNames = []string{"none", "warning", "conformance", "availability", "high-security", "critical-security"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity is the inverse of String; unknown names give SevNone.
func ParseSeverity(name string) Severity {
	for i, n := range severityNames {
		if n == name {
			return Severity(i)
		}
	}
	return SevNone
}

// MarshalText stores severities by name so stored JSON stays readable.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	*s = ParseSeverity(string(b))
	return nil
}

// Assertion is one judged expectation of one probe.
type Assertion struct {
	ID       string   `json:"id"`  // catalogue id, e.g. "B1"
	Ref      string   `json:"ref"` // the standard it comes from, e.g. "RFC 9110 §15.5.2"
	Severity Severity `json:"severity"`
	Pass     bool     `json:"pass"`
	Expected string   `json:"expected"`
	Got      string   `json:"got"`
	// Reason is a one-line sentence a person can act on, e.g.
	// "without credentials: expected 401, got 200 OK".
	Reason string `json:"reason"`
	// Deviation is set when the answer passed only because the check's
	// configuration allows it, and says what the standard expects instead:
	// "403 is allowed by this check; RFC 9110 §11.4 expects 401 with a challenge".
	Deviation string `json:"deviation,omitempty"`
}

// Header is one response or request header as recorded, credentials redacted.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Timing is where a probe's time went, from net/http/httptrace. A zero
// phase did not happen (a reused connection has no DNS, connect or TLS).
type Timing struct {
	DNS       time.Duration `json:"dns_ns,omitempty"`
	Connect   time.Duration `json:"connect_ns,omitempty"`
	TLS       time.Duration `json:"tls_ns,omitempty"`
	FirstByte time.Duration `json:"first_byte_ns,omitempty"` // from sending the request to the first response byte
	Total     time.Duration `json:"total_ns,omitempty"`
	Reused    bool          `json:"reused,omitempty"` // the connection was reused
}

// TLSInfo describes the certificate an https target presented.
type TLSInfo struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
	Version  string    `json:"version"`
	// Unverified says why the certificate would fail verification, when
	// the check turned verification off (insecure_skip_verify) and it
	// would; empty otherwise.
	Unverified string `json:"unverified,omitempty"`
	// peers is the chain as presented, for judgeInsecure; never stored.
	peers []*x509.Certificate
}

// ProbeResult is the evidence and verdict of one request of the matrix.
type ProbeResult struct {
	Kind       ProbeKind     `json:"kind"`
	Method     string        `json:"method"`
	URL        string        `json:"url"`
	Status     int           `json:"status,omitempty"` // 0 when no response arrived
	StatusText string        `json:"status_text,omitempty"`
	Latency    time.Duration `json:"latency_ns"`
	// Challenges is the lenient reading of every WWW-Authenticate field.
	Challenges []Challenge `json:"challenges,omitempty"`
	// ChallengeRaw holds the field values as received (redacted).
	ChallengeRaw []string `json:"challenge_raw,omitempty"`
	// ChallengeProblems lists why the fields do not parse strictly.
	ChallengeProblems []string `json:"challenge_problems,omitempty"`
	Error             string   `json:"error,omitempty"` // transport failure, plain words
	// RequestHeaders are the headers sent, credential values redacted.
	RequestHeaders []Header `json:"request_headers,omitempty"`
	// Headers are the response headers, credential and cookie values redacted.
	Headers []Header `json:"headers,omitempty"`
	// Body is the start of the response body (a few KB), token-like fields
	// redacted; BodyTruncated says there was more.
	Body          string   `json:"body,omitempty"`
	BodyTruncated bool     `json:"body_truncated,omitempty"`
	Timing        Timing   `json:"timing"`
	TLS           *TLSInfo `json:"tls,omitempty"`
	// RedirectedTo is the URL that answered when the check follows
	// redirects and the target redirected (redacted).
	RedirectedTo string `json:"redirected_to,omitempty"`
	// RateLimited is set when the target answered 429: the probe is
	// recorded, not judged as a regression, and retried after Retry-After.
	RateLimited bool `json:"rate_limited,omitempty"`
	// Skipped says why the probe was not sent (its failed-login budget was
	// spent): nothing was judged.
	Skipped    string      `json:"skipped,omitempty"`
	Assertions []Assertion `json:"assertions"`
}

// Passed reports whether every assertion of the probe passed.
func (p ProbeResult) Passed() bool {
	for _, a := range p.Assertions {
		if !a.Pass {
			return false
		}
	}
	return true
}

// Result is one run of a check.
type Result struct {
	Check    string        `json:"check"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Probes   []ProbeResult `json:"probes"`
	// Location is where the run probed from, in a fleet on PostgreSQL
	// (empty for a single monitor), and Slot the scheduled time it ran for:
	// the store records each (check, location, slot) once.
	Location string    `json:"location,omitempty"`
	Slot     time.Time `json:"slot,omitempty"`
}

// Failure names one failed assertion together with the probe it belongs to.
type Failure struct {
	Probe     ProbeKind `json:"probe"`
	Method    string    `json:"method"`
	URL       string    `json:"url"`
	Assertion Assertion `json:"assertion"`
}

// Failures lists every failed assertion of the run in probe order.
func (r Result) Failures() []Failure {
	var out []Failure
	for _, p := range r.Probes {
		for _, a := range p.Assertions {
			if !a.Pass {
				out = append(out, Failure{Probe: p.Kind, Method: p.Method, URL: p.URL, Assertion: a})
			}
		}
	}
	return out
}

// Passed reports whether every assertion of every probe passed.
func (r Result) Passed() bool { return len(r.Failures()) == 0 }

// Severity is the worst severity among the failed assertions.
func (r Result) Severity() Severity {
	worst := SevNone
	for _, f := range r.Failures() {
		worst = max(worst, f.Assertion.Severity)
	}
	return worst
}

// Summary is a one-line description of the run: "passed" or the reasons.
func (r Result) Summary() string {
	fs := r.Failures()
	if len(fs) == 0 {
		return "all assertions passed"
	}
	reasons := make([]string, 0, len(fs))
	for _, f := range fs {
		reasons = append(reasons, f.Assertion.Reason)
	}
	return strings.Join(reasons, "; ")
}
