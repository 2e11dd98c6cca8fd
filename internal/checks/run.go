package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// UserAgent is sent with every probe so that targets can tell monitor traffic
// apart in their logs.
var UserAgent = "authmon"

// MaxRedirects bounds the redirects a check with FollowRedirects follows.
const MaxRedirects = 10

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
		CheckRedirect: noRedirects,
	}
}

// Run runs the check's probes in order, each with the check's timeout, and
// judges every answer. It never panics on a misbehaving target and records no
// secret of the check. A monitor running several checks uses RunRedacted.
func Run(ctx context.Context, hc *http.Client, ch Check) Result {
	return RunRedacted(ctx, hc, ch, nil)
}

// RunRedacted is Run recording no secret red knows (every configured secret
// of the process, whichever check it belongs to), nor any the run obtains.
// A nil red knows the check's own secrets.
func RunRedacted(ctx context.Context, hc *http.Client, ch Check, red *redact.Redactor) Result {
	res := Result{Check: ch.Name, Started: time.Now().UTC()}
	red = runRedactor(red, ch)
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
		waive(&probes[i], ch.Ignore)
		redactProbe(red, &probes[i])
	}
	res.Probes = probes
	res.Duration = time.Since(res.Started)
	return res
}

// protectedRun is one run of the protected-endpoint matrix.
type protectedRun struct {
	ctx     context.Context
	base    *http.Client // as given: a Source's login step decides on redirects itself
	hc      *http.Client // the check's redirect policy applied
	ch      Check
	red     *redact.Redactor
	timeout time.Duration
	maxBody int64
	// cred is what the valid probe presents: the configured credential,
	// or the one its Source obtained. credErr says why obtaining failed.
	cred    Credential
	credErr error
	// metadataDone: C17 is judged once per run.
	metadataDone bool
}

// runProtected runs the protected-endpoint matrix: every configured probe
// in order, the same request but for the credentials, then A4 on the first
// TLS answer.
func runProtected(ctx context.Context, hc *http.Client, ch Check, red *redact.Redactor) []ProbeResult {
	r := &protectedRun{ctx: ctx, base: hc, ch: ch, red: red,
		timeout: timeoutOf(ch), maxBody: maxBodyOf(ch), cred: ch.Auth}
	if ch.Auth.Source != nil {
		r.obtain()
	}
	r.hc = redirectPolicy(hc, ch.FollowRedirects, r.cred)
	until, paused := pauses.paused(ch.Name, time.Now())
	out := make([]ProbeResult, 0, len(ch.Probes))
	errs := make([]error, 0, len(ch.Probes))
	for _, spec := range ch.Probes {
		if paused && spec.Kind != ProbeValid {
			out, errs = append(out, skippedProbe(spec.Kind, r.method(), ch.URL, until)), append(errs, nil)
			continue
		}
		if p, err, ok := r.probe(spec); ok {
			out, errs = append(out, p), append(errs, err)
		}
	}
	judgeTLS(out, errs, ch.TLSWarnDays, time.Now())
	return out
}

// obtain gets the dynamic credential from the check's Source, bounded by
// the check's timeout, and teaches the redactor its secrets.
func (r *protectedRun) obtain() {
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	c, err := r.ch.Auth.Source.Get(ctx, r.base)
	if err == nil && c.Kind == AuthNone {
		err = errors.New("the credential source returned no credential")
	}
	if err != nil {
		r.cred, r.credErr = presentedAs(r.ch.Auth), err
		return
	}
	r.cred, r.credErr = c, nil
	r.red.Add(CredentialSecrets(c)...)
}

func (r *protectedRun) method() string {
	if r.ch.Method == "" {
		return http.MethodGet
	}
	return r.ch.Method
}

// redirectPolicy returns a copy of hc that follows redirects (at most
// MaxRedirects) only when the check says so. A followed redirect to
// another host loses the API key header, as net/http already drops
// Authorization and Cookie.
func redirectPolicy(hc *http.Client, follow bool, cred Credential) *http.Client {
	c := *hc
	if !follow {
		c.CheckRedirect = noRedirects
		return &c
	}
	keyHeader := ""
	if cred.Kind == AuthAPIKey && cred.Query == "" {
		keyHeader = cred.Header
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return errTooManyRedirects
		}
		if keyHeader != "" && req.URL.Host != via[0].URL.Host {
			req.Header.Del(keyHeader)
		}
		return nil
	}
	return &c
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

var (
	errBodyTooLarge     = errors.New("body too large")
	errTooManyRedirects = errors.New("stopped after 10 redirects")
)
