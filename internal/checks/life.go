package checks

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// The life of a token: probes of a token check that follow a token after
// it is issued. It is revoked and must stop working (RFC 7009, RFC 7662),
// introspection keeps its contract, a refresh token rotates and a replayed
// one is refused (RFC 9700 §4.14), the keys that sign tokens stay
// published while their tokens live, and a token meant for another
// audience, or an ID token, is refused by the protected resource (RFC 8725
// §3.9, §3.11, §3.12). Each probe runs only when its config is present.

// Probe kinds of the token life.
const (
	ProbeRevocation    ProbeKind = "revocation"    // revoke a token, then it must stop working
	ProbeIntrospection ProbeKind = "introspection" // RFC 7662's answers to an unknown token and to no client auth
	ProbeRefresh       ProbeKind = "refresh"       // rotation and reuse detection
	ProbeAudience      ProbeKind = "audience"      // a token for another audience at the protected URL
	ProbeIDToken       ProbeKind = "id_token"      // an ID token presented as an access token
	ProbeKeys          ProbeKind = "keys"          // the issuer's JWKS against every JWT the run obtained
)

// lifeProbes are the token-life probes, in the order they run: keys last,
// so that it judges every token the others obtained.
var lifeProbes = []ProbeKind{ProbeRevocation, ProbeIntrospection, ProbeRefresh, ProbeAudience, ProbeIDToken, ProbeKeys}

// TokenLife configures the token-life probes of a token check; a probe
// whose URLs are not set does not run.
type TokenLife struct {
	// Audience and Resource are sent with every token request the check
	// makes (the common "audience" parameter; RFC 8707's "resource").
	Audience string
	Resource string
	// RevocationURL (RFC 7009), IntrospectionURL (RFC 7662) and the
	// ProtectedURL a valid access token opens.
	RevocationURL    string
	IntrospectionURL string
	ProtectedURL     string
	// RevocationWithin is how long a revoked token may keep working;
	// zero means it must stop at once. The probe polls until then.
	RevocationWithin time.Duration
	Refresh          *RefreshSpec
	// JWKSURL, or the DiscoveryURL whose jwks_uri it is, enables the keys
	// probe.
	JWKSURL      string
	DiscoveryURL string
	// Other says how to obtain a valid token for another audience.
	Other *OtherToken
}

// RefreshSpec says how the refresh probe obtains a refresh token and what
// the server promises about it.
type RefreshSpec struct {
	Grant  string   // "client_credentials" (default) or "password" (the check's username and password)
	Scopes []string // requested with that grant, e.g. "offline_access"
	// Rotation: a refresh returns a new refresh token and the old one is
	// refused with invalid_grant. FamilyRevoked: after such a replay the
	// newest refresh token stops working too.
	Rotation      bool
	FamilyRevoked bool
}

// OtherToken obtains a token for another audience: the check's client
// asking for Audience or Resource, or another client altogether.
type OtherToken struct {
	Audience     string
	Resource     string
	ClientID     string
	ClientSecret string
}

// lifeRun is one run of the token-life probes.
type lifeRun struct {
	ctx  context.Context
	hc   *http.Client
	ch   Check
	spec TokenSpec
	life TokenLife
	red  *redact.Redactor
	keys KeyHistory
	// jwts are every JWT the run obtained (access and ID tokens), for the
	// keys probe; idToken is the first ID token, for the id_token probe.
	jwts    []string
	idToken string
	// revoked is the token the revocation probe revoked.
	revoked string
}

// runLife runs the token-life probes the check asks for; issued are the
// tokens the check's other probes obtained.
func runLife(ctx context.Context, hc *http.Client, ch Check, spec TokenSpec, red *redact.Redactor, keys KeyHistory, issued []string) []ProbeResult {
	if spec.Life == nil {
		return nil
	}
	r := &lifeRun{ctx: ctx, hc: hc, ch: ch, spec: spec, life: *spec.Life, red: red, keys: keys}
	for _, t := range issued {
		r.keep(t)
	}
	wanted := kindsOf(ch, KindToken)
	var out []ProbeResult
	for _, k := range lifeProbes {
		if !containsKind(wanted, k) {
			continue
		}
		if p, ok := r.probe(k); ok {
			out = append(out, p)
		}
	}
	return out
}

func (r *lifeRun) probe(k ProbeKind) (ProbeResult, bool) {
	switch {
	case k == ProbeRevocation && r.life.RevocationURL != "":
		return r.revocation(), true
	case k == ProbeIntrospection && r.life.IntrospectionURL != "":
		return r.introspection(), true
	case k == ProbeRefresh && r.life.Refresh != nil:
		return r.refresh(), true
	case k == ProbeAudience && r.life.Other != nil && r.life.ProtectedURL != "":
		return r.audience(), true
	case k == ProbeIDToken && r.life.ProtectedURL != "":
		return r.idTokenProbe(), true
	case k == ProbeKeys && (r.life.JWKSURL != "" || r.life.DiscoveryURL != ""):
		return r.keysProbe(), true
	}
	return ProbeResult{}, false
}

func containsKind(ks []ProbeKind, k ProbeKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// keep teaches the redactor a token at once (every later probe's evidence
// is redacted with it) and remembers JWTs for the keys probe.
func (r *lifeRun) keep(tok string) {
	if tok == "" {
		return
	}
	learn(r.red, tok)
	if _, ok := DecodeJWT(tok); ok {
		r.jwts = append(r.jwts, tok)
	}
}

// client is who a request authenticates as.
type client struct{ id, secret string }

func (r *lifeRun) self() client { return client{r.spec.ClientID, r.spec.ClientSecret} }

// post sends a form with client authentication (none for a zero client),
// in the check's auth style, and records it as probe k.
func (r *lifeRun) post(k ProbeKind, u string, form url.Values, c client) (ProbeResult, exchange) {
	basic := c.id != "" && !postAuth(r.spec)
	if c.id != "" && !basic {
		form.Set("client_id", c.id)
		form.Set("client_secret", c.secret)
	}
	learn(r.red, append([]string{c.secret}, PairSecrets(c.id, c.secret)...)...)
	return sendProbe(r.ctx, r.hc, r.ch, k, outgoing{method: http.MethodPost, url: u, body: form.Encode(),
		contentType: "application/x-www-form-urlencoded",
		prepare: func(req *http.Request) {
			req.Header.Set("Accept", "application/json")
			if basic { // RFC 6749 §2.3.1
				req.SetBasicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))
			}
		}})
}

// bearer presents tok to the protected URL.
func (r *lifeRun) bearer(k ProbeKind, tok string) (ProbeResult, exchange) {
	return sendProbe(r.ctx, r.hc, r.ch, k, outgoing{method: http.MethodGet, url: r.life.ProtectedURL,
		prepare: func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+tok) }})
}

// grant asks the token endpoint for tokens with form (plus the check's
// audience and resource unless form has its own, even empty) and keeps every token
// of the answer. ok says an access token came back.
func (r *lifeRun) grant(k ProbeKind, form url.Values, c client) (doc map[string]any, p ProbeResult, ok bool) {
	for name, v := range map[string]string{"audience": r.life.Audience, "resource": r.life.Resource} {
		if _, set := form[name]; !set && v != "" {
			form.Set(name, v)
		}
	}
	p, x := r.post(k, r.ch.URL, form, c)
	if x.err != nil {
		return nil, p, false
	}
	doc, _ = jsonObject(x.body)
	for _, name := range []string{"access_token", "refresh_token", "id_token"} {
		v, _ := jsonPath(doc, name)
		r.keep(v)
		if name == "id_token" && v != "" && r.idToken == "" {
			r.idToken = v
		}
	}
	at, _ := jsonPath(doc, "access_token")
	return doc, p, is2xx(p.Status) && at != ""
}

// clientCredentials is the check's own grant, with its scopes.
func (r *lifeRun) clientCredentials() url.Values {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(r.spec.Scopes) > 0 {
		form.Set("scope", strings.Join(r.spec.Scopes, " "))
	}
	return form
}

// noToken is the verdict when a probe could not obtain the token it
// needs: the endpoint does not do its job (A1), and nothing else of the
// probe can be judged.
func noToken(k ProbeKind, p ProbeResult, what string) ProbeResult {
	if p.Error != "" {
		return p // A0 says it already
	}
	p.Assertions = append(p.Assertions, check("A1", false, "200 with "+what, gotStatus(&p)+" without "+what, k))
	return p
}
