package checks

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// BodyExcerpt is how much of a response body the evidence keeps.
const BodyExcerpt = 4 << 10

// exchange is one request and what came back: the answer to judge and the
// evidence to record. Every probe of every check kind goes through send.
type exchange struct {
	status int
	header http.Header
	body   []byte // at most the check's MaxBody bytes
	err    error
	ev     evidence
}

// evidence is what a probe result records of an exchange.
type evidence struct {
	requestHeaders []Header
	timing         Timing
	tls            *TLSInfo
	finalURL       string // set when a followed redirect changed the URL
}

// send performs req with hc, timing every phase, and reads at most maxBody
// bytes of the answer. It never follows redirects unless hc does.
func send(hc *http.Client, req *http.Request, maxBody int64) exchange {
	return sendKeeping(hc, req, maxBody, maxBody+1)
}

// sendKeeping is send keeping only the first keep bytes of the body in
// x.body, for an answer of which only the excerpt is recorded: the rest is
// read and counted, so that a body over maxBody is still an error, but not
// held in memory.
func sendKeeping(hc *http.Client, req *http.Request, maxBody, keep int64) exchange {
	var x exchange
	x.ev.requestHeaders = recordHeaders(req.Header)
	t := &phaseTimer{start: time.Now()}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), t.trace()))
	resp, err := hc.Do(req)
	if err != nil {
		x.err = err
		x.ev.timing = t.timing()
		return x
	}
	defer resp.Body.Close()
	body, size, err := readBody(resp.Body, maxBody+1, min(keep, maxBody+1), resp.ContentLength)
	x.ev.timing = t.timing()
	x.ev.tls = tlsInfo(resp.TLS)
	if resp.Request != nil && resp.Request != req && resp.Request.URL != nil {
		x.ev.finalURL = resp.Request.URL.String()
	}
	switch {
	case err != nil:
		x.err = fmt.Errorf("reading body: %w", err)
	case size > maxBody:
		x.err = errBodyTooLarge
	default:
		x.status, x.header, x.body = resp.StatusCode, resp.Header, body
	}
	return x
}

// readBody reads at most limit bytes of r, keeping the first keep of them,
// and returns them with the number of bytes read. hint is the announced
// length (-1: unknown), to size the buffer.
func readBody(r io.Reader, limit, keep, hint int64) ([]byte, int64, error) {
	body, err := readAtMost(r, keep, hint)
	size := int64(len(body))
	if err != nil || size < keep || keep >= limit {
		return body, size, err
	}
	rest, err := io.Copy(io.Discard, io.LimitReader(r, limit-keep))
	return body, size + rest, err
}

// readAtMost is io.ReadAll(io.LimitReader(r, n)) with a buffer sized for
// the announced length, one byte more so that reading the end needs no
// larger one: a probe's answer is mostly a few bytes, or none.
func readAtMost(r io.Reader, n, hint int64) ([]byte, error) {
	size := min(n, 512)
	if hint >= 0 {
		size = min(n, hint+1)
	}
	b := make([]byte, 0, size)
	lr := io.LimitedReader{R: r, N: n}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		k, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+k]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// newRequest builds a probe request with the check's method, URL and headers.
func newRequest(ctx context.Context, method, url string, headers map[string]string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", UserAgent)
	return req, nil
}

// fill copies an exchange's answer and evidence into a probe result; the
// caller judges it afterwards. A transport failure becomes p.Error.
func (x exchange) fill(p *ProbeResult, timeout time.Duration, maxBody int64) {
	p.RequestHeaders = x.ev.requestHeaders
	p.Timing = x.ev.timing
	p.Latency = x.ev.timing.Total
	p.TLS = x.ev.tls
	p.RedirectedTo = x.ev.finalURL
	if x.err != nil {
		p.Error = describeError(x.err, timeout, maxBody)
		return
	}
	p.Status, p.StatusText = x.status, http.StatusText(x.status)
	p.Headers = recordHeaders(x.header)
	p.Body, p.BodyTruncated = bodyExcerpt(x.body)
	p.ChallengeRaw = x.header.Values("WWW-Authenticate")
	var problems []Problem
	p.Challenges, problems = ParseChallenges(p.ChallengeRaw)
	for _, pr := range problems {
		p.ChallengeProblems = append(p.ChallengeProblems, pr.Error())
	}
}

// phaseTimer collects httptrace events into a Timing. The transport dials
// on a goroutine of its own, which can outlive the request (a timed-out
// request leaves its dial running), so every field is behind mu.
type phaseTimer struct {
	hooks                         httptrace.ClientTrace // in the same allocation
	start                         time.Time
	mu                            sync.Mutex
	dnsStart, connStart, tlsStart time.Time
	dns, connect, tls             time.Duration
	wrote, firstByte              time.Time
	reused                        bool
}

// at runs f with the timer locked.
func (t *phaseTimer) at(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f()
}

func (t *phaseTimer) trace() *httptrace.ClientTrace {
	t.hooks = httptrace.ClientTrace{
		DNSStart:             func(httptrace.DNSStartInfo) { t.at(func() { t.dnsStart = time.Now() }) },
		DNSDone:              func(httptrace.DNSDoneInfo) { t.at(func() { t.dns = since(t.dnsStart) }) },
		ConnectStart:         func(string, string) { t.at(func() { t.connStart = time.Now() }) },
		ConnectDone:          func(string, string, error) { t.at(func() { t.connect = since(t.connStart) }) },
		TLSHandshakeStart:    func() { t.at(func() { t.tlsStart = time.Now() }) },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { t.at(func() { t.tls = since(t.tlsStart) }) },
		GotConn:              func(i httptrace.GotConnInfo) { t.at(func() { t.reused = i.Reused }) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.at(func() { t.wrote = time.Now() }) },
		GotFirstResponseByte: func() { t.at(func() { t.firstByte = time.Now() }) },
	}
	return &t.hooks
}

func since(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return time.Since(t)
}

func (t *phaseTimer) timing() Timing {
	t.mu.Lock()
	defer t.mu.Unlock()
	tm := Timing{DNS: t.dns, Connect: t.connect, TLS: t.tls, Total: time.Since(t.start), Reused: t.reused}
	if !t.wrote.IsZero() && !t.firstByte.IsZero() {
		tm.FirstByte = t.firstByte.Sub(t.wrote)
	}
	return tm
}

func tlsInfo(cs *tls.ConnectionState) *TLSInfo {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return nil
	}
	leaf := cs.PeerCertificates[0]
	return &TLSInfo{Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
		NotAfter: leaf.NotAfter.UTC(), Version: tls.VersionName(cs.Version), peers: cs.PeerCertificates}
}

// credentialHeaders carry credentials or sessions: their values are never
// recorded, whatever the configured secrets are.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	"X-Api-Key", "Api-Key", "X-Auth-Token", "X-Access-Token", "Dpop", "Authentication-Info"}

// secretNameParts mark a header whose name says it carries a secret.
var secretNameParts = []string{"auth", "token", "secret", "key", "session", "cookie", "password",
	"credential", "signature", "dpop"}

// SecretHeader reports whether a header of this name carries a credential:
// one of credentialHeaders, or a name that says so (X-Tenant-Token,
// X-Signature). Config treats the values of such configured headers as
// secrets; "Accept: application/json" is evidence, not a secret.
func SecretHeader(name string) bool {
	canon := textproto.CanonicalMIMEHeaderKey(name)
	if slices.Contains(credentialHeaders, canon) {
		return true
	}
	lower := strings.ToLower(name)
	return slices.ContainsFunc(secretNameParts, func(p string) bool { return strings.Contains(lower, p) })
}

// recordHeaders lists headers in name order with credential values redacted.
// A Set-Cookie keeps its name and attributes, since cookie flags are evidence.
func recordHeaders(h http.Header) []Header {
	if len(h) == 0 {
		return nil
	}
	var buf [24]string // on the stack: most answers have fewer headers
	names := buf[:0]
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]Header, 0, len(names)) // one value each, nearly always
	for _, name := range names {
		canon := textproto.CanonicalMIMEHeaderKey(name)
		for _, v := range h[name] {
			switch {
			case canon == "Set-Cookie":
				v = redactSetCookie(v)
			case slices.Contains(credentialHeaders, canon):
				v = redactCredential(v)
			}
			out = append(out, Header{Name: canon, Value: v})
		}
	}
	return out
}

// redactCredential keeps an Authorization value's scheme: "Bearer [REDACTED]".
func redactCredential(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok && IsToken(scheme) {
		switch scheme { // the common ones without a new string
		case "Bearer":
			return "Bearer " + redacted
		case "Basic":
			return "Basic " + redacted
		}
		return scheme + " " + redacted
	}
	return redacted
}

// redactSetCookie replaces the cookie's value, keeping name and attributes:
// "sid=[REDACTED]; Path=/; Secure; HttpOnly".
func redactSetCookie(v string) string {
	pair, attrs, _ := strings.Cut(v, ";")
	name, _, _ := strings.Cut(pair, "=")
	out := strings.TrimSpace(name) + "=" + redacted
	if attrs != "" {
		out += ";" + attrs
	}
	return out
}

// bodyExcerpt is the first BodyExcerpt bytes of a body, as valid UTF-8,
// with token-like values redacted.
func bodyExcerpt(body []byte) (string, bool) {
	truncated := len(body) > BodyExcerpt
	if truncated {
		body = body[:BodyExcerpt]
	}
	s := strings.ToValidUTF8(string(body), "\uFFFD")
	return redact.Tokens(s), truncated
}
