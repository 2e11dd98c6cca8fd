package checks

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"time"
)

// UserAgent is sent with every probe so that targets can tell monitor traffic
// apart in their logs.
var UserAgent = "authmon"

// NewClient returns the HTTP client probes should share: it never follows
// redirects (a 302 to a login page is an answer to judge, not to chase) and
// caps response headers. It keeps up to perHost (at least 1) idle
// connections per target host for reuse: as many as checks may run against
// one host at once.
func NewClient(perHost int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxResponseHeaderBytes = 64 << 10
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = max(perHost, 1)
	tr.MaxIdleConns = 0 // no total cap: many hosts must not evict each other's connections
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run runs the check's probes in order, each with the check's timeout, and
// judges every answer. It never panics on a misbehaving target and records no
// configured secret.
func Run(ctx context.Context, hc *http.Client, ch Check) Result {
	res := Result{Check: ch.Name, Started: time.Now().UTC()}
	red := newRedactor(ch)
	var probes []ProbeResult
	switch ch.Kind {
	case KindLogin:
		probes = runLogin(ctx, hc, ch, red)
	case KindToken:
		probes = runToken(ctx, hc, ch, red)
	case KindDiscovery:
		probes = runDiscovery(ctx, hc, ch, red)
	default:
		probes = runProtected(ctx, hc, ch, red)
	}
	for i := range probes {
		red.probe(&probes[i])
	}
	res.Probes = probes
	res.Duration = time.Since(res.Started)
	return res
}

// runProtected runs the protected-endpoint matrix.
func runProtected(ctx context.Context, hc *http.Client, ch Check, _ *redactor) []ProbeResult {
	out := make([]ProbeResult, 0, len(ch.Probes))
	for _, spec := range ch.Probes {
		out = append(out, runProbe(ctx, hc, ch, spec))
	}
	return out
}

func runProbe(ctx context.Context, hc *http.Client, ch Check, spec ProbeSpec) ProbeResult {
	p := ProbeResult{Kind: spec.Kind, Method: ch.Method, URL: ch.URL}
	ctx, cancel := context.WithTimeout(ctx, ch.Timeout)
	defer cancel()
	x := do(ctx, hc, ch, spec.Kind)
	x.fill(&p, ch.Timeout, ch.MaxBody)
	if x.err != nil {
		p.Assertions = []Assertion{unreachable(spec.Kind, p.Error)}
		return p
	}
	p.Assertions = judge(spec, ch.Auth.Kind, &p, x.body)
	return p
}

// do sends one request of the protected matrix.
func do(ctx context.Context, hc *http.Client, ch Check, kind ProbeKind) exchange {
	req, err := newRequest(ctx, ch.Method, ch.URL, ch.Headers, nil)
	if err != nil {
		return exchange{err: err}
	}
	switch kind {
	case ProbeValid:
		present(req, ch.Auth)
	case ProbeWrong:
		present(req, wrongCredential(ch.Auth))
	}
	return send(hc, req, ch.MaxBody)
}

var errBodyTooLarge = errors.New("body too large")

// present puts credentials on a request.
func present(req *http.Request, c Credential) {
	switch c.Kind {
	case AuthBasic:
		req.SetBasicAuth(c.Username, c.Password)
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+c.Token)
	case AuthAPIKey:
		req.Header.Set(c.Header, c.Key)
	}
}

// wrongCredential derives well-formed credentials that no server can accept:
// the same user with a random password, or a random token or key.
func wrongCredential(c Credential) Credential {
	junk := "authmon-invalid-" + randomHex(12)
	switch c.Kind {
	case AuthBasic:
		c.Password = junk
	case AuthBearer:
		c.Token = base64.RawURLEncoding.EncodeToString([]byte(junk))
	case AuthAPIKey:
		c.Key = junk
	}
	return c
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}
