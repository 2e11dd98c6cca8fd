package checks

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// runLogin probes a login URL (KindLogin): good canary credentials get in
// and yield a token or session cookie, a wrong password does not, and
// optionally an unknown user is indistinguishable from a wrong password.
// Negative probes pause while the target rate limits the monitor.
func runLogin(ctx context.Context, hc *http.Client, ch Check, red *redact.Redactor, rl *rateLimits, g gate) []ProbeResult {
	hc = redirectPolicy(hc, ch.FollowRedirects, Credential{})
	spec := loginSpecOf(ch)
	secrets := []string{ch.Auth.Password}
	var out []ProbeResult
	for _, k := range kindsOf(ch, KindLogin) {
		var p ProbeResult
		var found []string
		switch k {
		case ProbeLogin:
			p, found = probeLogin(ctx, hc, ch, spec, rl)
		case ProbeLoginWrong:
			if until, paused := rl.paused(ch.Name); paused {
				p = skippedProbe(k, spec.Method, spec.URL, until)
				break
			}
			if skip, ok := g.spend(ctx, canaryUser(ch, spec), 1, k, spec.Method, spec.URL); !ok {
				p = skip
				break
			}
			p, found = probeLoginWrong(ctx, hc, ch, spec, rl)
		case ProbeEnumeration:
			var ran bool
			if p, found, ran = probeEnumeration(ctx, hc, ch, spec, rl, g); !ran {
				continue
			}
		default:
			continue
		}
		out = append(out, p)
		secrets = append(secrets, found...)
	}
	judgeTLS(out, nil, ch.TLSWarnDays, time.Now())
	learn(red, secrets...)
	return out
}

// loginSpecOf is the check's login step with its defaults filled in.
func loginSpecOf(ch Check) LoginSpec {
	var spec LoginSpec
	switch {
	case ch.Login != nil:
		spec = *ch.Login
	case ch.Auth.Login != nil:
		spec = *ch.Auth.Login
	}
	spec.URL = cmp.Or(spec.URL, ch.URL)
	spec.Method = cmp.Or(spec.Method, http.MethodPost)
	return spec
}

// canaryUser is the user negative probes name: never a real account.
func canaryUser(ch Check, spec LoginSpec) string {
	return cmp.Or(spec.CanaryUser, cmp.Or(ch.Auth.Username, "authmon-canary"))
}

// probeLogin logs in with the canary credentials, after fetching the
// pre-login session when spec.SessionURL is set (B7). It returns the
// token and session values seen, for the run to redact.
func probeLogin(ctx context.Context, hc *http.Client, ch Check, spec LoginSpec, rl *rateLimits) (ProbeResult, []string) {
	var pre http.Header
	preErr := ""
	if spec.SessionURL != "" {
		sctx, cancel := context.WithTimeout(ctx, timeoutOf(ch))
		x := sessionGet(sctx, hc, spec.SessionURL, ch.Headers, maxBodyOf(ch))
		cancel()
		if x.err != nil {
			preErr = describeError(x.err, timeoutOf(ch), maxBodyOf(ch))
		}
		pre = x.header
	}
	o, err := loginOutgoing(spec, ch.Auth.Username, ch.Auth.Password, liveCookies(pre))
	if err != nil {
		p := ProbeResult{Kind: ProbeLogin, Method: spec.Method, URL: spec.URL, Error: err.Error()}
		p.Assertions = []Assertion{unreachable(ProbeLogin, p.Error)}
		return p, nil
	}
	p, x := sendProbe(ctx, hc, ch, ProbeLogin, o)
	if x.err != nil {
		return p, nil
	}
	seen := issuedValues(spec, x, pre)
	if rl.throttled(ch.Name, &p, x.header) {
		return p, seen
	}
	p.Assertions = judgeLogin(ch, spec, &p, x, time.Now())
	if spec.SessionURL != "" && loginStatusOK(spec, p.Status) {
		b7 := sessionRenewed(ProbeLogin, spec, pre, x.header)
		if preErr != "" {
			b7 = check("B7", false, "an answer from the session URL "+spec.SessionURL, preErr, ProbeLogin)
			b7.Severity = SevAvail // the renewal could not be judged, not found missing
		}
		p.Assertions = append(p.Assertions, b7)
	}
	return p, seen
}

// probeLoginWrong logs in as the canary user with a random wrong password.
func probeLoginWrong(ctx context.Context, hc *http.Client, ch Check, spec LoginSpec, rl *rateLimits) (ProbeResult, []string) {
	o, err := loginOutgoing(spec, canaryUser(ch, spec), wrongSecret(), nil)
	if err != nil {
		p := ProbeResult{Kind: ProbeLoginWrong, Method: spec.Method, URL: spec.URL, Error: err.Error()}
		p.Assertions = []Assertion{unreachable(ProbeLoginWrong, p.Error)}
		return p, nil
	}
	p, x := sendProbe(ctx, hc, ch, ProbeLoginWrong, o)
	if x.err != nil {
		return p, nil
	}
	seen := issuedValues(spec, x, nil)
	if rl.throttled(ch.Name, &p, x.header) {
		return p, seen
	}
	p.Assertions = judgeLoginWrong(spec, &p, x)
	return p, seen
}

// issuedValues lists the token and session cookie values an exchange (and
// the pre-login page) carried: none of them may be recorded.
func issuedValues(spec LoginSpec, x exchange, pre http.Header) []string {
	var out []string
	if t, ok := loginToken(spec, x); ok {
		out = append(out, t.value)
	}
	for _, h := range []http.Header{x.header, pre} {
		for _, c := range sessionCookies(spec, h) {
			out = append(out, c.Value)
		}
	}
	if doc, ok := jsonObject(x.body); ok {
		for _, name := range []string{"access_token", "token", "id_token", "refresh_token"} {
			if v, ok := jsonPath(doc, name); ok {
				out = append(out, v)
			}
		}
	}
	return out
}
