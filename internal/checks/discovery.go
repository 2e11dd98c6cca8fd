package checks

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// runDiscovery probes a discovery document (KindDiscovery; Check.URL is
// the document): reachable JSON naming exactly the expected issuer, with
// the members its kind requires (A5), and a JWKS with keys (A6).
func runDiscovery(ctx context.Context, hc *http.Client, ch Check, _ *redact.Redactor, rl *rateLimits) []ProbeResult {
	hc = redirectPolicy(hc, ch.FollowRedirects, Credential{})
	var spec DiscoverySpec
	if ch.Discovery != nil {
		spec = *ch.Discovery
	}
	jwks := ch.Discovery == nil || spec.JWKS // on unless turned off
	var out []ProbeResult
	var doc map[string]any
	for _, k := range kindsOf(ch, KindDiscovery) {
		switch k {
		case ProbeDiscovery:
			var p ProbeResult
			p, doc = probeDiscovery(ctx, hc, ch, spec, rl)
			out = append(out, p)
		case ProbeJWKS:
			if jwks {
				out = append(out, probeJWKS(ctx, hc, ch, doc, rl))
			}
		}
	}
	judgeTLS(out, nil, ch.TLSWarnDays, time.Now())
	return out
}

func getJSON(u string) outgoing {
	return outgoing{method: http.MethodGet, url: u, prepare: func(r *http.Request) {
		r.Header.Set("Accept", "application/json")
	}}
}

// probeDiscovery fetches and judges the document, returning it for the
// JWKS probe (nil when it is unusable).
func probeDiscovery(ctx context.Context, hc *http.Client, ch Check, spec DiscoverySpec, rl *rateLimits) (ProbeResult, map[string]any) {
	k := ProbeDiscovery
	p, x := sendProbe(ctx, hc, ch, k, getJSON(ch.URL))
	if x.err != nil {
		return p, nil
	}
	if rl.throttled(ch.Name, &p, x.header) {
		return p, nil
	}
	doc, isJSON := jsonObject(x.body)
	ok := p.Status == http.StatusOK && isJSON
	got := gotStatus(&p)
	if p.Status == http.StatusOK && !isJSON {
		got += " with a body that is not a JSON object"
	}
	p.Assertions = []Assertion{documentRef(check("A5", ok, "200 with a JSON object", got, k), ch.URL)}
	if !ok {
		return p, nil
	}
	issuer, _ := jsonPath(doc, "issuer")
	want := cmp.Or(spec.Issuer, issuerFromURL(ch.URL))
	p.Assertions = append(p.Assertions,
		documentRef(check("A5.issuer", issuer == want,
			fmt.Sprintf("issuer %q, identical", want), fmt.Sprintf("issuer %q", clipHeader(issuer)), k), ch.URL),
		documentRef(issuerForm(k, issuer), ch.URL),
		documentRef(requiredMembers(k, doc, spec.Required, ch.URL), ch.URL))
	return p, doc
}

// issuerFromURL derives the issuer a well-known URL was built from: OIDC
// appends the suffix to the issuer, RFC 8414 §3.1 inserts it after the host.
func issuerFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery, u.Fragment = "", ""
	for _, suffix := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		switch {
		case strings.HasSuffix(u.Path, suffix):
			u.Path = strings.TrimSuffix(u.Path, suffix)
			return u.String()
		case strings.HasPrefix(u.Path, suffix+"/"):
			u.Path = strings.TrimPrefix(u.Path, suffix)
			return u.String()
		}
	}
	return ""
}

// issuerForm: an issuer is an https URL without query or fragment. Plain
// http is let through for a loopback host (a development server, like the
// sample API), with a deviation that says so.
func issuerForm(k ProbeKind, issuer string) Assertion {
	u, err := url.Parse(issuer)
	ok := err == nil && u.Host != "" && u.RawQuery == "" && u.Fragment == "" && !strings.ContainsAny(issuer, "?#")
	loopback := ok && u.Scheme == "http" && isLoopback(u.Hostname())
	a := check("A5.issuer-form", ok && (u.Scheme == "https" || loopback),
		"an https issuer without query or fragment", fmt.Sprintf("issuer %q", clipHeader(issuer)), k)

	if a.Pass && loopback {
		a.Deviation = "http is accepted for a loopback issuer; RFC 8414 §2 requires https"
	}
	return a
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Members required by default, per kind of document.
var (
	oidcRequired = []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
		"response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"}
	oauthRequired = []string{"issuer", "authorization_endpoint", "token_endpoint", "response_types_supported"}
)

// requiredMembers checks the configured members, or by default those OIDC
// Discovery §3 or RFC 8414 §2 require, from the URL's well-known suffix.
func requiredMembers(k ProbeKind, doc map[string]any, required []string, docURL string) Assertion {
	if len(required) == 0 {
		switch {
		case strings.Contains(docURL, "/.well-known/openid-configuration"):
			required = oidcRequired
		case strings.Contains(docURL, "/.well-known/oauth-authorization-server"):
			required = oauthRequired
		default:
			required = []string{"issuer"}
		}
	}
	var missing []string
	for _, m := range required {
		if v, ok := doc[m]; !ok || v == nil {
			missing = append(missing, m)
		}
	}
	got := "all of them"
	if len(missing) > 0 {
		got = "missing " + strings.Join(missing, ", ")
	}
	return check("A5.required", len(missing) == 0, "members "+strings.Join(required, ", "), got, k)
}

// probeJWKS fetches jwks_uri: a JSON object with a non-empty keys array,
// each key naming its kty (RFC 7517 §4.1).
func probeJWKS(ctx context.Context, hc *http.Client, ch Check, doc map[string]any, rl *rateLimits) ProbeResult {
	k := ProbeJWKS
	uri, _ := jsonPath(doc, "jwks_uri")
	if uri == "" {
		p := ProbeResult{Kind: k, Method: http.MethodGet}
		a := check("A6", false, "a jwks_uri in the discovery document",
			"no usable discovery document or no jwks_uri in it", k)
		p.Assertions = []Assertion{withRef(a, "OIDC Discovery §3")} // RFC 7517 is the key set's
		return p
	}
	p, x := sendProbe(ctx, hc, ch, k, getJSON(uri))
	if x.err != nil {
		return p
	}
	if rl.throttled(ch.Name, &p, x.header) {
		return p
	}
	set, isJSON := jsonObject(x.body)
	keys, _ := set["keys"].([]any)
	got := gotStatus(&p)
	switch {
	case p.Status != http.StatusOK:
	case !isJSON:
		got += " with a body that is not a JSON object"
	default:
		got += fmt.Sprintf(" with %d key(s)", len(keys))
	}
	ok := p.Status == http.StatusOK && len(keys) > 0
	p.Assertions = []Assertion{check("A6", ok, "200 with a non-empty keys array", got, k)}
	if !ok {
		return p
	}
	var bad []string
	for i, key := range keys {
		if kty, _ := jsonPath(key, "kty"); kty == "" {
			bad = append(bad, fmt.Sprintf("keys[%d]", i))
		}
	}
	kgot := "every key with kty"
	if len(bad) > 0 {
		kgot = strings.Join(bad, ", ") + " without kty"
	}
	p.Assertions = append(p.Assertions, check("A6.kty", len(bad) == 0, "every key with kty", kgot, k))
	return p
}

// documentParts are the parts of each A5 reference per kind of document:
// RFC 8414 for OAuth server metadata, OIDC Discovery for an OpenID
// provider.
var documentParts = map[string]struct{ oauth, oidc string }{
	"A5":             {"RFC 8414 §2, §3.3", "OIDC Discovery §3, §4.3"},
	"A5.issuer":      {"RFC 8414 §3.3", "OIDC Discovery §4.3"},
	"A5.issuer-form": {"RFC 8414 §2", "OIDC Discovery §3"},
	"A5.required":    {"RFC 8414 §2", "OIDC Discovery §3"},
}

// documentRef cites the standard of the document the URL's well-known
// suffix names; a document at another URL may be either, and cites both.
func documentRef(a Assertion, docURL string) Assertion {
	parts, ok := documentParts[a.ID]
	switch {
	case !ok:
		return a
	case strings.Contains(docURL, "/.well-known/openid-configuration"):
		return withRef(a, parts.oidc)
	case strings.Contains(docURL, "/.well-known/oauth-authorization-server"):
		return withRef(a, parts.oauth)
	}
	return a
}
