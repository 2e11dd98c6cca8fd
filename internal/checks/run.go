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

// Run runs the check's probes once, remembering nothing from earlier runs
// and counting no failed login: for a single run (tests). A monitor runs its
// checks through one Runner, which remembers what targets asked for between
// runs and spends its failed-login budget.
func Run(ctx context.Context, hc *http.Client, ch Check) Result {
	rn := NewRunner(hc, nil, nil)
	rn.memo = &standalone
	return rn.Run(ctx, ch)
}

// standalone is what single runs share: a cache only, it changes nothing
// a run records.
var standalone memo

// Runner runs checks and holds what they remember between runs: the
// pauses a target asked for with a 429, how long it has rate limited good
// credentials, and when each enumeration probe is next due; and the budget
// that counts the failed logins negative probes cause, per account across
// every check; and the process's redactor, so that no run records a secret
// of another check. Build one for the life of the process; it is safe for
// concurrent use.
type Runner struct {
	hc     *http.Client
	rl     *rateLimits
	budget Budget           // nil counts none
	red    *redact.Redactor // nil knows each check's own secrets only
	keys   KeyHistory       // the signing keys seen per jwks_uri
	// conns holds one client per distinct [check.tls]/proxy setting.
	conns clients
	memo  *memo // each check definition's redactor and JWT verdicts
}

// NewRunner returns a Runner whose probes go through hc, spend from b (nil:
// no budget, as for a single run) and record no secret red knows.
func NewRunner(hc *http.Client, b Budget, red *redact.Redactor) *Runner {
	return &Runner{hc: hc, rl: newRateLimits(time.Now, nil), budget: b, red: red, keys: NewMemoryKeyHistory(), memo: &memo{}}
}

// WithPauses keeps the pauses targets asked for and the enumeration
// probes' turns in p (a fleet's shared database) instead of in memory.
// Call it before the first Run.
func (rn *Runner) WithPauses(p Pauses) *Runner {
	if p != nil {
		rn.rl = newRateLimits(rn.rl.now, p)
	}
	return rn
}

// WithKeyHistory makes the runner keep the signing keys' history in k
// (the store's, so that it survives a restart) instead of in memory.
// Call it before the first Run.
func (rn *Runner) WithKeyHistory(k KeyHistory) *Runner {
	if k != nil {
		rn.keys = k
	}
	return rn
}

// Run runs the check's probes in order, each with the check's timeout, and
// judges every answer. It never panics on a misbehaving target and records no
// configured secret of the process (nor any the run obtains).
func (rn *Runner) Run(ctx context.Context, ch Check) Result {
	res := Result{Check: ch.Name, Started: time.Now().UTC()}
	checkRed := rn.memo.redactor(rn.red, ch)
	red := checkRed
	if learnsPerRun(ch) {
		red = checkRed.Scope() // learns what this run obtains, which the next run must not need
	}
	hc, rl := rn.conns.clientFor(rn.hc, ch.Conn), rn.rl
	g := gate{b: rn.budget, check: ch.Name, lim: ch.FailedLogins.OrDefault()}
	var probes []ProbeResult
	switch ch.Kind {
	case KindLogin:
		probes = runLogin(ctx, hc, ch, red, rl, g)
	case KindToken:
		probes = runToken(ctx, hc, ch, red, rl, g, rn.keys)
	case KindDiscovery:
		probes = runDiscovery(ctx, hc, ch, red, rl)
	case KindOIDCLogin:
		probes = runOIDCLogin(ctx, hc, ch, red)
	default:
		probes = runProtected(ctx, hc, ch, protectedRedactors{run: red, check: checkRed}, rl, g, rn.memo)
	}
	rl.settle(ch.Name, probes)
	judgeInsecure(probes, ch.Conn, ch.URL)
	judgeOwn(probes, ch.Auth, time.Now())
	for i := range probes {
		waive(&probes[i], ch.Ignore)
		redactProbe(red, &probes[i])
	}
	res.Probes = probes
	res.Duration = time.Since(res.Started)
	return res
}

// learnsPerRun reports whether a run of ch may learn secrets of its own: a
// credential a Source obtains, a Digest answer, what a login, token or
// OIDC run is issued. A protected check with a static credential learns
// only what its configuration determines (see probe), so its runs use the
// check's redactor itself.
func learnsPerRun(ch Check) bool {
	protected := ch.Kind == "" || ch.Kind == KindProtected
	return !protected || ch.Auth.Source != nil || ch.Auth.Kind == AuthDigest
}

// protectedRun is one run of the protected-endpoint matrix.
type protectedRun struct {
	ctx  context.Context
	base *http.Client // as given: a Source's login step decides on redirects itself
	hc   *http.Client // the check's redirect policy applied
	ch   Check
	red  *redact.Redactor // the run's
	// checkRed is the check definition's redactor (red's parent): it
	// learns the tokens derived from the configuration alone, once.
	checkRed *redact.Redactor
	memo     *memo // nil: nothing remembered
	rl       *rateLimits
	gate     gate
	timeout  time.Duration
	maxBody  int64
	// cred is what the valid probe presents: the configured credential,
	// or the one its Source obtained. credErr says why obtaining failed.
	cred    Credential
	credErr error
	// metadataDone: C17 is judged once per run.
	metadataDone bool
	// nonces are the Digest nonces this run was given, for C25.nonce.
	nonces []string
}

// protectedRedactors are a run's redactor and its parent, the check's.
type protectedRedactors struct{ run, check *redact.Redactor }

// runProtected runs the protected-endpoint matrix: every configured probe
// in order, the same request but for the credentials, then A4 on the first
// TLS answer.
func runProtected(ctx context.Context, hc *http.Client, ch Check, red protectedRedactors, rl *rateLimits, g gate, m *memo) []ProbeResult {
	r := &protectedRun{ctx: ctx, base: hc, ch: ch, red: red.run, checkRed: red.check, memo: m, rl: rl, gate: g,
		timeout: timeoutOf(ch), maxBody: maxBodyOf(ch), cred: ch.Auth}
	if ch.Auth.Source != nil {
		r.obtain()
	}
	r.hc = r.memo.redirectPolicy(hc, ch.FollowRedirects, r.cred)
	out := make([]ProbeResult, 0, len(ch.Probes))
	var errs []error // by index in out; nil while no probe had a transport error
	for _, spec := range ch.Probes {
		// Asked before each probe: a 429 earlier in this run stops the
		// rest of its negative probes too.
		if until, paused := rl.paused(ch.Name); paused && spec.Kind != ProbeValid {
			out = append(out, skippedProbe(spec.Kind, r.method(), ch.URL, until))
			continue
		}
		if p, err, ok := r.probe(spec); ok {
			out = append(out, p)
			if err != nil {
				if errs == nil {
					errs = make([]error, len(ch.Probes))
				}
				errs[len(out)-1] = err
			}
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
