package checks

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/authmon/monitor/internal/redact"
)

// KindOIDCLogin is an OpenID Connect authorization code login with PKCE,
// driven headless: authorize, the IdP's HTML login form, consent, the
// callback and the code exchange, then the negative probes (OIDC Core
// §3.1, RFC 7636, RFC 9700 §2.1, §4.1).
const KindOIDCLogin CheckKind = "oidc_login"

// The legs of an OIDC login, each a recorded probe, and its negative
// probes.
const (
	ProbeAuthorize       ProbeKind = "authorize"        // the authorize request and the redirects it answers with
	ProbeLoginForm       ProbeKind = "login_form"       // the IdP's login page
	ProbeLoginPost       ProbeKind = "login_post"       // the filled login form submitted
	ProbeConsent         ProbeKind = "consent"          // the consent page, and the consent given
	ProbeCallback        ProbeKind = "callback"         // the redirect back to the client with the code
	ProbeCodeExchange    ProbeKind = "code_exchange"    // the code exchanged with its code_verifier
	ProbeCodeReuse       ProbeKind = "code_reuse"       // the same code exchanged again
	ProbePKCEMissing     ProbeKind = "pkce_missing"     // an authorize request without code_challenge
	ProbePKCEPlain       ProbeKind = "pkce_plain"       // one with code_challenge_method=plain
	ProbeRedirectForeign ProbeKind = "redirect_foreign" // an unregistered redirect_uri
	ProbeRedirectPrefix  ProbeKind = "redirect_prefix"  // the registered redirect_uri with a path appended
)

// oidcProbes are the probes of an OIDC login check, in order.
var oidcProbes = []ProbeKind{ProbeAuthorize, ProbeLoginForm, ProbeLoginPost, ProbeConsent, ProbeCallback,
	ProbeCodeExchange, ProbeCodeReuse, ProbePKCEMissing, ProbePKCEPlain, ProbeRedirectForeign, ProbeRedirectPrefix}

var oidcPhrase = map[ProbeKind]string{
	ProbeAuthorize: "authorize request", ProbeLoginForm: "login page", ProbeLoginPost: "login form submitted",
	ProbeConsent: "consent", ProbeCallback: "redirect back to the client", ProbeCodeExchange: "code exchange",
	ProbeCodeReuse: "the code exchanged a second time", ProbePKCEMissing: "authorize request without code_challenge",
	ProbePKCEPlain: "authorize request with code_challenge_method plain", ProbeRedirectForeign: "authorize request with an unregistered redirect_uri",
	ProbeRedirectPrefix: "authorize request with the redirect_uri's path extended",
}

// OIDCSpec configures an OIDC login check; Check.URL is the issuer.
type OIDCSpec struct {
	// DiscoveryURL defaults to the issuer's
	// /.well-known/openid-configuration.
	DiscoveryURL string
	ClientID     string
	ClientSecret string // empty: a public client (client_secret_basic otherwise)
	RedirectURI  string
	Scopes       []string // default ["openid"]
	// Username and Password are the canary user's.
	Username string
	Password string
	// UsernameField and PasswordField override the login form's field
	// names; by default the password input and the text or e-mail input
	// before it. FormAction picks the form whose action contains it.
	UsernameField string
	PasswordField string
	FormAction    string
	// Consent: when false, a consent page is an error rather than passed.
	Consent bool
}

// oidcMeta is what the check reads from the discovery document.
type oidcMeta struct{ issuer, authorize, token string }

// oidcRun is one run of an OIDC login check.
type oidcRun struct {
	ctx  context.Context
	hc   *http.Client
	ch   Check
	spec OIDCSpec
	red  *redact.Redactor
	jar  http.CookieJar
	meta oidcMeta
	out  []ProbeResult
}

// runOIDCLogin runs the login and the negative probes the check asks for.
func runOIDCLogin(ctx context.Context, hc *http.Client, ch Check, red *redact.Redactor) []ProbeResult {
	if ch.OIDC == nil {
		return nil
	}
	jar, _ := cookiejar.New(nil)
	r := &oidcRun{ctx: ctx, hc: redirectPolicy(hc, false, Credential{}), ch: ch, spec: *ch.OIDC, red: red, jar: jar}
	learn(red, r.spec.Password, r.spec.ClientSecret)
	red.Add(PairSecrets(r.spec.ClientID, r.spec.ClientSecret)...)
	if !r.discover() {
		return r.out
	}
	wanted := kindsOf(ch, KindOIDCLogin)
	code, verifier, ok := r.login()
	if !ok {
		// The negative probes ride on the IdP session of the login: without
		// it they would judge the login page, not the authorize endpoint.
		return r.out
	}
	if containsKind(wanted, ProbeCodeReuse) {
		r.reuse(code, verifier)
	}
	for _, k := range []ProbeKind{ProbePKCEMissing, ProbePKCEPlain, ProbeRedirectForeign, ProbeRedirectPrefix} {
		// PKCE is the IdP's duty for public clients (RFC 9700 §2.1.1); a
		// confidential client may rely on its secret and the nonce.
		pkce := k == ProbePKCEMissing || k == ProbePKCEPlain
		if containsKind(wanted, k) && (!pkce || r.spec.ClientSecret == "") {
			r.negative(k)
		}
	}
	return r.out
}

// discover reads the authorize and token endpoints from the discovery
// document.
func (r *oidcRun) discover() bool {
	u := r.spec.DiscoveryURL
	if u == "" {
		u = strings.TrimSuffix(r.ch.URL, "/") + "/.well-known/openid-configuration"
	}
	p, x := sendProbe(r.ctx, r.hc, r.ch, ProbeDiscovery, outgoing{method: http.MethodGet, url: u,
		prepare: func(q *http.Request) { q.Header.Set("Accept", "application/json") }})
	doc, ok := jsonObject(x.body)
	if x.err == nil {
		r.meta.issuer, _ = jsonPath(doc, "issuer")
		r.meta.authorize, _ = jsonPath(doc, "authorization_endpoint")
		r.meta.token, _ = jsonPath(doc, "token_endpoint")
		ok = ok && x.status == http.StatusOK && r.meta.authorize != "" && r.meta.token != ""
		if !ok {
			p.Assertions = append(p.Assertions, check("A8", false,
				"200 JSON naming authorization_endpoint and token_endpoint", gotStatus(&p), ProbeDiscovery))
		}
	}
	r.out = append(r.out, p)
	return x.err == nil && ok
}

// pkce is a fresh code_verifier and its S256 challenge (RFC 7636 §4.1, §4.2).
func pkce() (verifier, challenge string) {
	verifier = base64.RawURLEncoding.EncodeToString([]byte(randomHex(32)))
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL is the authorize request; params override or, when
// empty, remove the defaults.
func (r *oidcRun) authorizeURL(params map[string]string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {r.spec.ClientID}, "redirect_uri": {r.spec.RedirectURI},
		"scope": {strings.Join(r.scopes(), " ")}}
	for k, v := range params {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	sep := "?"
	if strings.Contains(r.meta.authorize, "?") {
		sep = "&"
	}
	return r.meta.authorize + sep + q.Encode()
}

func (r *oidcRun) scopes() []string {
	if len(r.spec.Scopes) == 0 {
		return []string{"openid"}
	}
	return r.spec.Scopes
}
