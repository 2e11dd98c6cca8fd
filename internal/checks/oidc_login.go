package checks

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// login runs the happy path: authorize with state, nonce and an S256
// challenge, the login form, consent, the callback, the code exchange.
// It returns the code and verifier for the reuse probe.
func (r *oidcRun) login() (code, verifier string, ok bool) {
	verifier, challenge := pkce()
	state, nonce := randomHex(16), randomHex(16)
	learn(r.red, verifier)
	start := r.authorizeURL(map[string]string{"state": state, "nonce": nonce,
		"code_challenge": challenge, "code_challenge_method": "S256"})
	cb, last, stuck := r.drive(ProbeAuthorize, start, r.spec.RedirectURI)
	if cb == nil {
		why := "the login did not come back to redirect_uri: see the legs above"
		switch {
		case stuck == ProbeLoginForm:
			why = "the IdP showed its login page again after the canary's login was submitted: wrong credentials, or a form the check cannot fill (see username_field, password_field, form_action)"
		case stuck == ProbeConsent && !r.spec.Consent:
			why = "the IdP asked for consent and the check has consent = false"
		case stuck == ProbeConsent:
			why = "the IdP asked for consent again after it was given"
		}
		r.fail(last, why)
		return "", "", false
	}
	q := cb.Query()
	code = q.Get("code")
	learn(r.red, code)
	r.out[last].Kind = ProbeCallback
	r.out[last].Assertions = append(r.out[last].Assertions,
		check("C24", q.Get("state") == state, "state echoed unchanged", echoed(q, "state", state), ProbeCallback))
	if code == "" {
		r.fail(last, fmt.Sprintf("the callback carries no code (error %q: %s)", q.Get("error"), q.Get("error_description")))
		return "", "", false
	}
	p, tokens, ok := r.exchange(ProbeCodeExchange, code, verifier)
	if ok {
		p.Assertions = append(p.Assertions, check("A8", true, "tokens", "200 with access_token and id_token", ProbeCodeExchange))
		p.Assertions = append(p.Assertions, judgeIDToken(tokens, r.meta.issuer, r.spec.ClientID, nonce)...)
	} else {
		p.Assertions = append(p.Assertions, check("A8", false, "200 with access_token and id_token", gotStatus(&p)+tokenError(tokens), ProbeCodeExchange))
	}
	r.out = append(r.out, p)
	return code, verifier, ok
}

func echoed(q url.Values, name, want string) string {
	switch got, ok := q[name]; {
	case !ok:
		return "no " + name
	case len(got) == 1 && got[0] == want:
		return name + " unchanged"
	default:
		return "a different " + name
	}
}

// fail adds a failed A8 to the probe at i.
func (r *oidcRun) fail(i int, why string) {
	if i < 0 {
		return
	}
	a := assertion("A8")
	a.Expected, a.Got, a.Reason = "the login completes and yields tokens", why, "OIDC login: "+why
	r.out[i].Assertions = append(r.out[i].Assertions, a)
}

// exchange sends the code to the token endpoint (RFC 6749 §4.1.3, RFC
// 7636 §4.5) and learns the tokens it answers with.
func (r *oidcRun) exchange(k ProbeKind, code, verifier string) (ProbeResult, map[string]any, bool) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {r.spec.RedirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	if r.spec.ClientSecret == "" {
		form.Set("client_id", r.spec.ClientID)
	}
	p, x := sendProbe(r.ctx, r.hc, r.ch, k, outgoing{method: http.MethodPost, url: r.meta.token, body: form.Encode(),
		contentType: "application/x-www-form-urlencoded", prepare: func(q *http.Request) {
			q.Header.Set("Accept", "application/json")
			if r.spec.ClientSecret != "" {
				q.SetBasicAuth(url.QueryEscape(r.spec.ClientID), url.QueryEscape(r.spec.ClientSecret))
			}
		}})
	doc, _ := jsonObject(x.body)
	for _, n := range []string{"access_token", "id_token", "refresh_token"} {
		if v, ok := jsonPath(doc, n); ok {
			learn(r.red, v)
		}
	}
	at, _ := jsonPath(doc, "access_token")
	idt, _ := jsonPath(doc, "id_token")
	return p, doc, x.err == nil && x.status == http.StatusOK && at != "" && idt != ""
}

func tokenError(doc map[string]any) string {
	if e, ok := jsonPath(doc, "error"); ok {
		return " " + e
	}
	return ""
}

// reuse exchanges the code a second time: it must be refused with
// invalid_grant (RFC 6749 §4.1.2, §10.5; OIDC Core §3.1.3.2).
func (r *oidcRun) reuse(code, verifier string) {
	p, doc, _ := r.exchange(ProbeCodeReuse, code, verifier)
	if p.Error == "" {
		e, _ := jsonPath(doc, "error")
		a := check("B22", !is2xx(p.Status), "a refusal (400 invalid_grant)", gotStatus(&p)+tokenError(doc), ProbeCodeReuse)
		if a.Pass && e != "invalid_grant" {
			a.Deviation = "refused, but RFC 6749 §5.2 expects 400 with error invalid_grant"
		}
		p.Assertions = append(p.Assertions, a)
	}
	r.out = append(r.out, p)
}

// negative runs one negative authorize request with the IdP session of
// the login (so no form is needed again) and judges where it ends.
func (r *oidcRun) negative(k ProbeKind) {
	verifier, challenge := pkce()
	params := map[string]string{"state": randomHex(16), "nonce": randomHex(16),
		"code_challenge": challenge, "code_challenge_method": "S256"}
	stop, id := r.spec.RedirectURI, "B20"
	switch k {
	case ProbePKCEMissing:
		params["code_challenge"], params["code_challenge_method"] = "", ""
	case ProbePKCEPlain:
		params["code_challenge"], params["code_challenge_method"], id = verifier, "plain", "B20.plain"
		learn(r.red, verifier) // with plain, the challenge is the verifier
	case ProbeRedirectForeign:
		stop, id = "https://authmon-open-redirect.invalid/callback", "B21"
	case ProbeRedirectPrefix:
		stop, id = strings.TrimSuffix(r.spec.RedirectURI, "/")+"/authmon-probe", "B21.prefix"
	}
	if k == ProbeRedirectForeign || k == ProbeRedirectPrefix {
		params["redirect_uri"] = stop
	}
	first := len(r.out)
	cb, last, stuck := r.drive(k, r.authorizeURL(params), stop)
	for i := first; i < len(r.out); i++ {
		r.out[i].Kind = k
	}
	if last < 0 {
		return
	}
	if stuck != "" {
		// Neither a code nor a refusal: the IdP's forms stood in the way.
		r.out[last].Error = "not judged: the IdP showed a login or consent page the check could not get past"
		return
	}
	if k == ProbeRedirectForeign || k == ProbeRedirectPrefix {
		a := check(id, cb == nil, "a refusal that stays at the IdP", redirectGot(cb), k)
		r.out[last].Assertions = append(r.out[last].Assertions, a)
		return
	}
	r.pkceVerdict(k, id, cb, last, params["code_challenge"])
}

// pkceVerdict judges a PKCE probe: no code is a pass; a code is tried at
// the token endpoint without an S256 verifier (none, or the plain one),
// and a refusal there still passes, with a deviation: the IdP enforces
// PKCE at the token endpoint only (as zitadel and others do).
func (r *oidcRun) pkceVerdict(k ProbeKind, id string, cb *url.URL, last int, plain string) {
	code := ""
	if cb != nil {
		code = cb.Query().Get("code")
		learn(r.red, code)
	}
	if code == "" {
		r.out[last].Assertions = append(r.out[last].Assertions, check(id, true, "no code (an error)", "no code", k))
		return
	}
	p, doc, _ := r.exchange(k, code, plain)
	if p.Error != "" {
		r.out = append(r.out, p)
		return
	}
	a := check(id, !is2xx(p.Status), "no code, or a code the token endpoint refuses without an S256 code_verifier",
		"a code, and the exchange answered "+gotStatus(&p)+tokenError(doc), k)
	if a.Pass {
		a.Deviation = "the code was refused at the token endpoint only; RFC 9700 §2.1.1 and RFC 7636 §4.4.1 expect the authorize request to be refused"
	}
	p.Assertions = append(p.Assertions, a)
	r.out = append(r.out, p)
}

func redirectGot(cb *url.URL) string {
	if cb == nil {
		return "no redirect to it"
	}
	if cb.Query().Has("code") {
		return "a redirect to it, with a code"
	}
	return "a redirect to it"
}
