package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// `monitor init URL` asks the URL once, without credentials, and prints a
// commented [[check]] stanza built from what the answer says: the scheme
// and realm of a 401 challenge, a redirect to a login page, an open 200, or
// a discovery document. Credentials appear only as ${ENV} references.

// Bounds of the probe: a target cannot keep init waiting or reading.
const (
	initMaxRedirects = 5
	initBodyLimit    = 64 << 10
)

func initCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("init", stderr)
	name := fs.String("name", "", "the check's name (default: from the URL)")
	env := fs.String("env", "", "prefix of the environment variables holding credentials (default: from the name)")
	timeout := fs.Duration("timeout", 10*time.Second, "time allowed for each request")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: monitor init [-name NAME] [-env PREFIX] [-timeout 10s] URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitConfig
	}
	if fs.NArg() != 1 || *timeout <= 0 {
		fs.Usage()
		return exitConfig
	}
	target, stripped, err := initURL(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "monitor init:", err)
		return exitConfig
	}
	p := &initProber{client: initClient(*timeout), ctx: ctx}
	g, err := guessCheck(p, target, stripped)
	if err != nil {
		fmt.Fprintln(stderr, "monitor init:", err)
		return exitFailed
	}
	g.name(*name, *env)
	for _, w := range g.Warns {
		fmt.Fprintln(stderr, "monitor init: warning:", w)
	}
	if _, err := io.WriteString(stdout, g.stanza()); err != nil {
		fmt.Fprintln(stderr, "monitor init:", err)
		return exitFailed
	}
	return exitOK
}

// initURL checks the argument and removes what must not be sent or
// printed: a fragment, and query parameters that look like credentials
// (their names are returned: the stanza turns the first into an api_key
// credential read from the environment).
func initURL(raw string) (*url.URL, []string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.User != nil {
		return nil, nil, errors.New("the URL holds credentials: leave them out, init asks without any and the stanza reads them from the environment")
	}
	u.Fragment, u.RawFragment = "", ""
	q := u.Query()
	var stripped []string
	for k := range q {
		if credentialParam(k) {
			stripped = append(stripped, k)
			q.Del(k)
		}
	}
	if len(stripped) > 0 {
		u.RawQuery = q.Encode()
	}
	return u, stripped, nil
}

// credentialParam: a query parameter name that usually carries a secret.
func credentialParam(name string) bool {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
	for _, w := range []string{"key", "token", "secret", "password", "passwd", "sig", "signature", "auth", "session", "sid"} {
		if n == w || strings.HasSuffix(n, w) {
			return true
		}
	}
	return false
}

// initClient follows no redirect by itself: each answer is read, so a
// redirect to a login page is seen as such.
func initClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		Transport:     http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// initAnswer is one response as init read it.
type initAnswer struct {
	URL        *url.URL
	Status     int
	StatusText string
	Header     http.Header
	Body       []byte // at most initBodyLimit bytes
}

// initProber sends the GETs of one init, without credentials.
type initProber struct {
	client *http.Client
	ctx    context.Context
	sent   int
}

func (p *initProber) get(u *url.URL) (initAnswer, error) {
	if p.sent >= initMaxRedirects+3 { // the redirects and two discovery tries
		return initAnswer{}, errors.New("too many requests for one init")
	}
	p.sent++
	req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return initAnswer{}, err
	}
	req.Header.Set("Accept", "application/json, text/html;q=0.9, */*;q=0.8")
	resp, err := p.client.Do(req)
	if err != nil {
		var ue *url.Error // it repeats the method and URL
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return initAnswer{}, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, initBodyLimit))
	if err != nil {
		return initAnswer{}, fmt.Errorf("GET %s: reading the body: %w", u.Redacted(), err)
	}
	return initAnswer{URL: u, Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode),
		Header: resp.Header, Body: body}, nil
}

// follow GETs u and follows redirects that only move the resource (another
// scheme, host or trailing slash), at most initMaxRedirects; it stops at a
// redirect to a login page, which is the answer to describe. chain lists
// the URLs that redirected.
func (p *initProber) follow(u *url.URL) (a initAnswer, chain []string, err error) {
	for {
		if a, err = p.get(u); err != nil {
			return a, chain, err
		}
		next, ok := redirectTarget(a)
		if !ok || loginRedirect(u, next) {
			return a, chain, nil
		}
		if len(chain) == initMaxRedirects {
			return a, chain, fmt.Errorf("GET %s: more than %d redirects", chain[0], initMaxRedirects)
		}
		chain = append(chain, u.String())
		u = next
	}
}

// redirectTarget is where a 3xx answer points, resolved.
func redirectTarget(a initAnswer) (*url.URL, bool) {
	loc := a.Header.Get("Location")
	if a.Status < 300 || a.Status > 399 || loc == "" {
		return nil, false
	}
	next, err := a.URL.Parse(loc)
	if err != nil || (next.Scheme != "http" && next.Scheme != "https") {
		return nil, false
	}
	return next, true
}

// loginRedirect: the redirect leads to a sign-in page rather than to the
// same resource elsewhere. Moving the same path (http to https, another
// host name) or adding a trailing slash is not one; a path that names a
// login, or another host with another path (an identity provider), is.
func loginRedirect(from, to *url.URL) bool {
	samePath := strings.TrimSuffix(to.Path, "/") == strings.TrimSuffix(from.Path, "/")
	if samePath {
		return false
	}
	lower := strings.ToLower(to.Path)
	for _, w := range []string{"login", "signin", "sign-in", "sign_in", "logon", "auth", "sso", "saml", "oauth", "session"} {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return to.Hostname() != from.Hostname()
}
