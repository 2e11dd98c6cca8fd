package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// initGuess is the check init proposes and why.
type initGuess struct {
	Kind   checks.CheckKind
	URL    *url.URL // the URL the check asks
	Seen   []string // what the answers said, for the stanza's header
	Notes  []string // advice, as comments above the credentials
	Warns  []string // problems worth reading before using the check; also on stderr
	Auth   checks.AuthKind
	Cookie string // a cookie credential's name
	Query  string // an api_key credential sent as this query parameter
	// Missing is what the request without credentials must get;
	// Refusals applies to the malformed and wrong probes too.
	Missing  initProbe
	Refusals bool
	Probes   []string // explicit probes; nil: every probe the check can run
	Ignore   []string // commented-out ignore list, when a known deviation fails
	Issuer   string   // discovery
	Check    string   // the check's name
	Env      string   // prefix of its environment variables
	// assumed: the answer named no scheme, the credential type is a guess.
	assumed bool
}

// initProbe is a [check.missing]-like table.
type initProbe struct {
	Status   []int
	Scheme   string
	Realm    string
	Location string
}

// guessCheck reads the answers to u and proposes a check; stripped are the
// credential-like query parameters removed from u.
func guessCheck(p *initProber, u *url.URL, stripped []string) (*initGuess, error) {
	g, err := guessFromAnswers(p, u)
	if err != nil {
		return nil, err
	}
	g.queryKey(stripped)
	return g, nil
}

func guessFromAnswers(p *initProber, u *url.URL) (*initGuess, error) {
	if isWellKnown(u) {
		return guessDiscovery(p, u)
	}
	a, chain, err := p.follow(u)
	if err != nil {
		return nil, err
	}
	g := &initGuess{Kind: checks.KindProtected, URL: a.URL}
	for _, c := range chain {
		g.Seen = append(g.Seen, "GET "+c+" redirected; the check asks the URL it led to")
	}
	switch {
	case a.Status == http.StatusUnauthorized:
		g.fromChallenge(a)
	case a.Status == http.StatusForbidden:
		g.fromForbidden(a)
	case isRedirect(a):
		g.fromLoginRedirect(a)
	case a.Status >= 200 && a.Status < 300:
		if d, err := discoverIssuer(p, a.URL); err == nil {
			d.Seen = append(g.Seen, d.Seen...)
			return d, nil
		}
		g.fromOpen(a)
	default:
		return nil, fmt.Errorf("GET %s answered %d %s without credentials: not an endpoint to check "+
			"(init expects a 401 or 403, a redirect to a login page, a 200, or a discovery document)", a.URL, a.Status, a.StatusText)
	}
	return g, nil
}

// isRedirect: a 3xx whose Location is an http(s) URL; any other 3xx is
// not something init can describe.
func isRedirect(a initAnswer) bool {
	_, ok := redirectTarget(a)
	return ok
}

func (g *initGuess) seen(a initAnswer, extra string) {
	g.Seen = append(g.Seen, fmt.Sprintf("GET %s without credentials answered %d %s%s", a.URL, a.Status, a.StatusText, extra))
}

// schemePreference picks the challenge to follow when several are offered:
// those authmon can present first.
var schemePreference = []string{"Bearer", "Basic", "ApiKey", "Digest"}

func (g *initGuess) fromChallenge(a initAnswer) {
	raw := a.Header.Values("WWW-Authenticate")
	cs, _ := checks.ParseChallenges(raw)
	cs = slices.DeleteFunc(cs, func(c checks.Challenge) bool { return !checks.IsToken(c.Scheme) })
	if len(cs) == 0 {
		if len(raw) == 0 {
			g.seen(a, " without a WWW-Authenticate challenge")
		} else {
			g.seen(a, " with a WWW-Authenticate that names no scheme: "+strings.Join(raw, ", "))
		}
		g.noChallenge()
		g.Warns = append(g.Warns, "a 401 without a readable challenge fails C1.challenge/C5.challenge (RFC 9110 §11.6.1) until the server sends one; "+
			"to accept it knowingly, uncomment the ignore line")
		g.Ignore = []string{"C1.challenge", "C5.challenge"}
		return
	}
	g.seen(a, " with WWW-Authenticate: "+strings.Join(raw, ", "))
	c := cs[0]
	for _, s := range slices.Backward(schemePreference) {
		if found, ok := checks.FindChallenge(cs, s); ok {
			c = found
		}
	}
	g.Missing.Realm, _ = c.Realm()
	switch strings.ToLower(c.Scheme) {
	case "basic":
		g.Auth = checks.AuthBasic
	case "bearer":
		g.Auth = checks.AuthBearer
		g.Notes = append(g.Notes, "a token you keep in the environment; for tokens from an OAuth2 client, use a credential set of type \"oauth2\" (README: Credentials)")
		if rm, ok := c.Param("resource_metadata"); ok {
			g.Notes = append(g.Notes, "the challenge names resource_metadata "+rm+": the check verifies that document names this URL (C17)")
		}
	case "digest":
		g.Auth = checks.AuthDigest
		if alg, ok := c.Param("algorithm"); ok {
			g.Notes = append(g.Notes, "the server offers algorithm "+alg+"; authmon answers with the strongest offered unless the credential's algorithm says otherwise")
		}
	case "apikey":
		g.Auth, g.Missing.Scheme, g.assumed = checks.AuthAPIKey, c.Scheme, true
		g.Notes = append(g.Notes, "where the key goes is a guess: use the header or query parameter the API documents")
	default:
		g.Missing.Scheme, g.Probes = c.Scheme, []string{"missing"}
		g.Warns = append(g.Warns, fmt.Sprintf("authmon cannot present %s credentials: only the request without credentials is checked", c.Scheme))
	}
}

// noChallenge: a refusal that does not say how to authenticate. A bearer
// token is the likeliest.
func (g *initGuess) noChallenge() {
	g.Auth, g.assumed = checks.AuthBearer, true
	g.Notes = append(g.Notes, "the answer did not name a scheme: a Bearer token is assumed, change the type if the API wants another")
}

// fromForbidden: a 403 to strangers is allowed (with a deviation), and
// then the malformed and wrong probes likely get it too.
func (g *initGuess) fromForbidden(a initAnswer) {
	g.seen(a, "")
	g.noChallenge()
	g.Missing.Status, g.Refusals = []int{403}, true
	g.Notes = append(g.Notes, "RFC 9110 expects 401 with a challenge; the check allows the 403 this server answers, with a deviation")
}

func (g *initGuess) fromLoginRedirect(a initAnswer) {
	next, _ := redirectTarget(a)
	g.seen(a, " to "+next.String())
	loc := next.Scheme + "://" + next.Host + next.Path
	if next.Scheme == a.URL.Scheme && next.Host == a.URL.Host {
		loc = next.Path
	}
	g.Missing = initProbe{Status: []int{a.Status}, Location: loc}
	g.Refusals = true
	g.Auth, g.Cookie = checks.AuthCookie, "session"
	if cs := (&http.Response{Header: a.Header}).Cookies(); len(cs) > 0 && cs[0].Name != "" {
		g.Cookie = cs[0].Name
		g.Notes = append(g.Notes, "the cookie name is the one the redirect set; use your session cookie's")
	} else {
		g.Notes = append(g.Notes, "a browser page: sign in once, copy the session cookie's name and value")
	}
	g.Probes = []string{"valid", "missing", "wrong"}
}

func (g *initGuess) fromOpen(a initAnswer) {
	g.seen(a, "")
	g.Warns = append(g.Warns, fmt.Sprintf("%s answered %d without credentials: not protected? As written, the check fails with B1 (auth bypass) until it refuses strangers", a.URL, a.Status))
	g.Notes = append(g.Notes, "once it is protected, add its credentials: run `monitor init` again or see README: Credentials")
}

// queryKey: a credential-like query parameter was removed from the URL;
// unless the answer named a scheme, it becomes an api_key credential sent
// in that parameter, read from the environment.
func (g *initGuess) queryKey(stripped []string) {
	if len(stripped) == 0 {
		return
	}
	slices.Sort(stripped)
	g.Notes = append(g.Notes, fmt.Sprintf("removed %s from the URL: init asks without credentials, and the file must not hold secrets",
		strings.Join(quoteAll(stripped), ", ")))
	if g.Kind == checks.KindProtected && (g.assumed || g.Auth == checks.AuthNone) {
		g.Auth, g.Query = checks.AuthAPIKey, stripped[0]
	}
}

// isWellKnown: the URL is a discovery document.
func isWellKnown(u *url.URL) bool {
	return strings.Contains(u.Path, "/.well-known/openid-configuration") ||
		strings.Contains(u.Path, "/.well-known/oauth-authorization-server")
}

// guessDiscovery proposes a discovery check of the document at u.
func guessDiscovery(p *initProber, u *url.URL) (*initGuess, error) {
	a, err := p.get(u)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if a.Status != http.StatusOK || json.Unmarshal(a.Body, &doc) != nil || doc.Issuer == "" {
		return nil, fmt.Errorf("GET %s answered %d %s: not a discovery document with an issuer", u, a.Status, a.StatusText)
	}
	g := &initGuess{Kind: checks.KindDiscovery, URL: u, Issuer: doc.Issuer}
	g.seen(a, ", a discovery document of issuer "+doc.Issuer)
	return g, nil
}

// discoverIssuer tries u as an issuer: its OpenID configuration (the
// suffix appended), then RFC 8414 metadata for an issuer without a path.
func discoverIssuer(p *initProber, u *url.URL) (*initGuess, error) {
	base := strings.TrimSuffix(u.Path, "/")
	tries := []string{base + "/.well-known/openid-configuration"}
	if base == "" {
		tries = append(tries, "/.well-known/oauth-authorization-server")
	}
	var err error
	for _, path := range tries {
		d := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: path}
		var g *initGuess
		if g, err = guessDiscovery(p, d); err == nil {
			g.Seen = append([]string{fmt.Sprintf("GET %s without credentials answered 200: tried it as an issuer", u)}, g.Seen...)
			return g, nil
		}
	}
	return nil, err
}
