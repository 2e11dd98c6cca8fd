package checks

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTokenTTL is how long an obtained token is cached when nothing in
// the answer (expires_in, a JWT exp, a cookie expiry) says.
const DefaultTokenTTL = 5 * time.Minute

// NewLoginSource returns the Source of a login credential set: it posts
// user and password to spec.URL, takes the token back from a JSON field, a
// header or a cookie, and caches it until it expires. It is safe for
// concurrent use; concurrent Gets of an expired token log in once.
func NewLoginSource(spec LoginSpec, user, password string) Source {
	s := &loginSource{spec: spec, user: user, password: password}
	s.cache.now = time.Now
	return s
}

type loginSource struct {
	spec           LoginSpec
	user, password string
	cache          tokenCache
}

func (s *loginSource) Get(ctx context.Context, hc *http.Client) (Credential, error) {
	hc = clientOr(hc)
	return s.cache.get(ctx, func(ctx context.Context) (Credential, time.Time, error) {
		return s.login(ctx, hc)
	})
}

func (s *loginSource) Invalidate(c Credential) { s.cache.invalidate(c) }

func (s *loginSource) login(ctx context.Context, hc *http.Client) (Credential, time.Time, error) {
	budget := deadlineOf(ctx)
	var pre []*http.Cookie
	if s.spec.SessionURL != "" {
		x := sessionGet(ctx, hc, s.spec.SessionURL, nil, kindMaxBody)
		if x.err != nil {
			return Credential{}, time.Time{}, fmt.Errorf("login: session URL: %s", describeError(x.err, budget, kindMaxBody))
		}
		pre = liveCookies(x.header)
	}
	o, err := loginOutgoing(s.spec, s.user, s.password, pre)
	if err != nil {
		return Credential{}, time.Time{}, fmt.Errorf("login: %w", err)
	}
	req, err := o.request(ctx, nil)
	if err != nil {
		return Credential{}, time.Time{}, errors.New("login: invalid login URL")
	}
	x := send(hc, req, kindMaxBody)
	if x.err != nil {
		return Credential{}, time.Time{}, fmt.Errorf("login at %s: %s", req.URL.Redacted(), describeError(x.err, budget, kindMaxBody))
	}
	if !loginStatusOK(s.spec, x.status) {
		return Credential{}, time.Time{}, fmt.Errorf("login at %s answered %d %s, expected %s: check the credentials of this set",
			req.URL.Redacted(), x.status, http.StatusText(x.status), statusWords(s.spec.Status, "2xx"))
	}
	tok, ok := loginToken(s.spec, x)
	if !ok {
		return Credential{}, time.Time{}, fmt.Errorf("login at %s succeeded but the answer has no token %s", req.URL.Redacted(), tokenPlace(s.spec))
	}
	cred, err := presentToken(s.spec, tok.value)
	if err != nil {
		return Credential{}, time.Time{}, err
	}
	return cred, tok.expiry(s.cache.now(), s.spec.TTL), nil
}

// clientOr falls back to a client that, like NewClient's, never follows
// redirects.
func clientOr(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return NewClient(1)
}

// deadlineOf is how long ctx had left, for "timed out after …" messages.
func deadlineOf(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d).Round(time.Second)
	}
	return 0
}

// loginOutgoing builds the login POST: JSON (default) or a form with the
// user, password and extra fields, and any pre-login cookies.
func loginOutgoing(spec LoginSpec, user, password string, cookies []*http.Cookie) (outgoing, error) {
	fields := map[string]string{}
	for k, v := range spec.Extra {
		fields[k] = v
	}
	fields[cmp.Or(spec.UsernameField, "username")] = user
	fields[cmp.Or(spec.PasswordField, "password")] = password
	o := outgoing{method: cmp.Or(spec.Method, http.MethodPost), url: spec.URL}
	switch strings.ToLower(spec.Format) {
	case "", "json":
		b, err := json.Marshal(fields)
		if err != nil {
			return o, err
		}
		o.body, o.contentType = string(b), "application/json"
	case "form":
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, v)
		}
		o.body, o.contentType = form.Encode(), "application/x-www-form-urlencoded"
	default:
		return o, fmt.Errorf("unknown login format %q (use json or form)", spec.Format)
	}
	o.prepare = func(req *http.Request) {
		if req.Header.Get("Accept") == "" {
			req.Header.Set("Accept", "application/json")
		}
		for _, c := range cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	return o, nil
}

// sessionGet fetches a page before logging in, for its session cookie.
func sessionGet(ctx context.Context, hc *http.Client, u string, headers map[string]string, maxBody int64) exchange {
	req, err := newRequest(ctx, http.MethodGet, u, headers, nil)
	if err != nil {
		return exchange{err: errors.New("invalid session URL")}
	}
	return send(hc, req, maxBody)
}

func loginStatusOK(spec LoginSpec, status int) bool {
	if len(spec.Status) > 0 {
		return statusIn(spec.Status, 0, status)
	}
	return is2xx(status)
}

// issued is a token found in a login answer, with what the answer says of
// its lifetime.
type issued struct {
	value     string
	where     string        // "JSON field data.token", "header X-Token", "cookie sid"
	expiresIn time.Duration // from expires_in; 0 when absent
	hasExpIn  bool
	cookieExp time.Time // from the cookie's Max-Age or Expires
}

// loginToken takes the token from where spec says it comes back.
func loginToken(spec LoginSpec, x exchange) (issued, bool) {
	switch {
	case spec.TokenHeader != "":
		v := strings.TrimSpace(x.header.Get(spec.TokenHeader))
		v = strings.TrimSpace(strings.TrimPrefix(v, "Bearer "))
		return issued{value: v, where: "header " + spec.TokenHeader}, v != ""
	case spec.TokenCookie != "":
		for _, c := range liveCookies(x.header) {
			if c.Name == spec.TokenCookie {
				t := issued{value: c.Value, where: "cookie " + c.Name}
				if c.MaxAge > 0 {
					t.cookieExp = time.Now().Add(time.Duration(c.MaxAge) * time.Second)
				} else if !c.Expires.IsZero() {
					t.cookieExp = c.Expires
				}
				return t, true
			}
		}
		return issued{where: "cookie " + spec.TokenCookie}, false
	}
	path := cmp.Or(spec.TokenJSON, "access_token")
	t := issued{where: "JSON field " + path}
	doc, ok := jsonObject(x.body)
	if !ok {
		return t, false
	}
	t.value, ok = jsonPath(doc, path)
	if v, has := jsonPath(doc, siblingPath(path, "expires_in")); has {
		t.expiresIn, t.hasExpIn = seconds(v)
	}
	return t, ok && t.value != ""
}

// expiry is when a cached token should be dropped: the earliest of what
// the answer says (expires_in, JWT exp, cookie expiry), else ttl, minus a
// margin so that a token is never presented in its last seconds.
func (t issued) expiry(now time.Time, ttl time.Duration) time.Time {
	var ends []time.Time
	if t.hasExpIn && t.expiresIn > 0 {
		ends = append(ends, now.Add(t.expiresIn))
	}
	if j, ok := DecodeJWT(t.value); ok && !j.ExpiresAt.IsZero() {
		ends = append(ends, j.ExpiresAt)
	}
	if !t.cookieExp.IsZero() {
		ends = append(ends, t.cookieExp)
	}
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	end := now.Add(ttl)
	if len(ends) > 0 {
		end = ends[0]
		for _, e := range ends[1:] {
			if e.Before(end) {
				end = e
			}
		}
	}
	return end.Add(-min(30*time.Second, end.Sub(now)/10))
}

// presentToken turns a token into the credential protected probes present.
func presentToken(spec LoginSpec, tok string) (Credential, error) {
	use := spec.Use
	if use == "" {
		use = "bearer"
		if spec.TokenCookie != "" {
			use = "cookie"
		}
	}
	switch {
	case strings.EqualFold(use, "bearer"):
		return Credential{Kind: AuthBearer, Token: tok}, nil
	case strings.EqualFold(use, "cookie"):
		if spec.TokenCookie == "" {
			return Credential{}, errors.New(`login: use = "cookie" needs token_cookie to name the cookie`)
		}
		return Credential{Kind: AuthCookie, Cookie: spec.TokenCookie, Value: tok}, nil
	case len(use) > len("header:") && strings.EqualFold(use[:len("header:")], "header:"):
		return Credential{Kind: AuthAPIKey, Header: strings.TrimSpace(use[len("header:"):]), Key: tok}, nil
	}
	return Credential{}, fmt.Errorf(`login: unknown use %q (use "bearer", "cookie" or "header:<Name>")`, use)
}

func tokenPlace(spec LoginSpec) string {
	switch {
	case spec.TokenHeader != "":
		return "in header " + spec.TokenHeader
	case spec.TokenCookie != "":
		return "in cookie " + spec.TokenCookie
	}
	return "in JSON field " + cmp.Or(spec.TokenJSON, "access_token")
}

// liveCookies are the cookies an answer sets, leaving out deletions.
func liveCookies(h http.Header) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Value != "" && c.MaxAge >= 0 && (c.Expires.IsZero() || c.Expires.After(time.Now())) {
			out = append(out, c)
		}
	}
	return out
}
