package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// The check kinds beyond a protected endpoint (login.go, token.go,
// discovery.go) return their probes' results in the order of KindProbes;
// Run redacts them afterwards. This file holds what they share.

// Fallbacks for a Check built without config defaults (tests, library use).
const (
	kindTimeout = 10 * time.Second
	kindMaxBody = 1 << 20
)

func timeoutOf(ch Check) time.Duration {
	if ch.Timeout > 0 {
		return ch.Timeout
	}
	return kindTimeout
}

func maxBodyOf(ch Check) int64 {
	if ch.MaxBody > 0 {
		return ch.MaxBody
	}
	return kindMaxBody
}

// outgoing is one request of a kind's matrix.
type outgoing struct {
	method, url string
	body        string // sent as is; empty sends none
	contentType string
	// prepare adds what the probe needs: credentials, cookies, Accept.
	prepare func(*http.Request)
}

// sendProbe sends one request with the check's headers and timeout and
// records the answer as a ProbeResult of kind k. A request that got no
// answer already carries its A0 assertion; the caller judges the rest.
func sendProbe(ctx context.Context, hc *http.Client, ch Check, k ProbeKind, o outgoing) (ProbeResult, exchange) {
	p := ProbeResult{Kind: k, Method: o.method, URL: o.url}
	ctx, cancel := context.WithTimeout(ctx, timeoutOf(ch))
	defer cancel()
	req, err := o.request(ctx, ch.Headers)
	if err != nil {
		p.Error = "cannot build the request: " + err.Error()
		p.Assertions = []Assertion{unreachable(k, p.Error)}
		return p, exchange{err: err}
	}
	x := send(hc, req, maxBodyOf(ch))
	x.fill(&p, timeoutOf(ch), maxBodyOf(ch))
	if x.err != nil {
		p.Assertions = []Assertion{unreachable(k, p.Error)}
	}
	return p, x
}

// request builds the request with extra headers (the check's).
func (o outgoing) request(ctx context.Context, headers map[string]string) (*http.Request, error) {
	var body io.Reader
	if o.body != "" {
		body = strings.NewReader(o.body)
	}
	req, err := newRequest(ctx, o.method, o.url, headers, body)
	if err != nil {
		return nil, err
	}
	if o.contentType != "" {
		req.Header.Set("Content-Type", o.contentType)
	}
	if o.prepare != nil {
		o.prepare(req)
	}
	return req, nil
}

// learn teaches the run's redactor values obtained during the run (issued
// tokens, session cookies) and the secrets a kind sends: Run removes them
// from everything the probes record. The redactor only knows the
// configured secrets otherwise.
func learn(red *redact.Redactor, values ...string) {
	if red == nil {
		return
	}
	var keep []string
	for _, v := range values {
		if len(v) >= 6 { // shorter values would blank out ordinary words
			keep = append(keep, v)
		}
	}
	red.Add(keep...)
}

// jsonObject parses a body as a JSON object, numbers kept exact.
func jsonObject(body []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// jsonPath looks up a dot path ("data.access_token", "tokens.0.value") in
// a decoded JSON value and returns it as text: strings as they are,
// numbers and booleans in their JSON form.
func jsonPath(v any, path string) (string, bool) {
	for _, seg := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[seg]
			if !ok {
				return "", false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(node) {
				return "", false
			}
			v = node[i]
		default:
			return "", false
		}
	}
	switch val := v.(type) {
	case string:
		return val, true
	case json.Number:
		return val.String(), true
	case bool:
		return strconv.FormatBool(val), true
	}
	return "", false
}

// siblingPath is the path of a member next to the one at path:
// siblingPath("data.access_token", "expires_in") is "data.expires_in".
func siblingPath(path, name string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i+1] + name
	}
	return name
}

// seconds reads a JSON number of seconds (expires_in).
func seconds(v string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e9 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// wrongSecret is a well-formed password or client secret that no server
// can accept.
func wrongSecret() string { return "authmon-wrong-" + randomHex(12) }

// probeSpec returns the check's spec for probe k (zero when absent).
func probeSpec(ch Check, k ProbeKind) ProbeSpec {
	for _, s := range ch.Probes {
		if s.Kind == k {
			return s
		}
	}
	return ProbeSpec{Kind: k}
}

// kindsOf lists the probes a kind check runs: those configured, or every
// probe of the kind when none is.
func kindsOf(ch Check, kind CheckKind) []ProbeKind {
	if len(ch.Probes) == 0 {
		return KindProbes[kind]
	}
	out := make([]ProbeKind, 0, len(ch.Probes))
	for _, s := range ch.Probes {
		out = append(out, s.Kind)
	}
	return out
}
