package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// The CSRF token is a signed double-submit token bound to who is signed in:
// a random value in a SameSite=Strict cookie, and in every form (csrfField)
// an HMAC of that value and the request's principal under a key that only
// this process knows. A site that drives a browser to post here can read
// neither the cookie nor the page; one that manages to plant a cookie (a
// sibling subdomain, plain HTTP on the way) still cannot compute the form
// token for it, nor reuse a token minted for someone else. The standard
// library's cross-origin protection refuses cross-site browser posts by
// their Sec-Fetch-Site or Origin before the token is even read.
const (
	csrfCookie    = "authmon_csrf"
	csrfFormField = "csrf"
	csrfHeader    = "X-CSRF-Token"
	// csrfTokenLen is the length of a cookie value and of a form token:
	// 32 bytes, base64url.
	csrfTokenLen = 43
	// maxPostBytes bounds a form post; the dashboard's forms are tiny.
	maxPostBytes = 64 << 10
)

type csrfKey struct{}

// csrfState is the token of one request. The cookie is set only when a page
// renders a form (csrfToken), so API answers and badges carry no cookie.
type csrfState struct {
	w      http.ResponseWriter
	g      *csrfGuard
	who    string // the principal the token is bound to ("" when anonymous)
	cookie string // from the request's cookie, or minted by csrfToken
	sent   bool   // the browser has the cookie: it came with the request, or is set
	tls    bool   // served over TLS: the cookie is Secure
}

// csrfGuard holds the per-process key of the form tokens: a restart makes
// open forms stale (a 403 asking to reload), which is the price of keeping
// no secret on disk.
type csrfGuard struct {
	key    []byte
	origin *http.CrossOriginProtection
}

func newCSRFGuard() *csrfGuard {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand panics rather)
	return &csrfGuard{key: key, origin: http.NewCrossOriginProtection()}
}

// formToken is the token a form must carry for a cookie value and principal.
func (g *csrfGuard) formToken(cookie, who string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(who))
	m.Write([]byte{0})
	m.Write([]byte(cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// protect refuses every state-changing request that is cross-origin or
// lacks the token, with 403; safe methods go through and may mint a token.
func (g *csrfGuard) protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &csrfState{w: w, g: g, who: principal(r.Context()), cookie: cookieToken(r), tls: r.TLS != nil}
		st.sent = st.cookie != ""
		ctx := context.WithValue(r.Context(), csrfKey{}, st)
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if err := g.origin.Check(r); err != nil {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		if !g.valid(w, r, st) {
			http.Error(w, "missing or expired form token: reload the page and try again", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// valid reports whether the post repeats the token of its cookie and principal.
func (g *csrfGuard) valid(w http.ResponseWriter, r *http.Request, st *csrfState) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxPostBytes)
	sent := r.Header.Get(csrfHeader)
	if sent == "" {
		_ = r.ParseForm() // a bad form has no token: refused below
		sent = r.PostForm.Get(csrfFormField)
	}
	got, err := base64.RawURLEncoding.DecodeString(sent)
	if st.cookie == "" || err != nil {
		return false
	}
	want, _ := base64.RawURLEncoding.DecodeString(g.formToken(st.cookie, st.who))
	return hmac.Equal(got, want)
}

// cookieToken returns the request's token cookie if it is well-formed.
func cookieToken(r *http.Request) string {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) != csrfTokenLen {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil {
		return ""
	}
	return c.Value
}

// csrfToken is the token a form must repeat. The first call on a request
// without the cookie mints one and sets the cookie; pages are rendered to a
// buffer before the headers go out, so there is still time.
func csrfToken(ctx context.Context) string {
	st, ok := ctx.Value(csrfKey{}).(*csrfState)
	if !ok {
		return ""
	}
	if st.cookie == "" {
		st.cookie = randomToken()
	}
	if !st.sent {
		http.SetCookie(st.w, &http.Cookie{Name: csrfCookie, Value: st.cookie, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: st.tls})
		st.sent = true
	}
	return st.g.formToken(st.cookie, st.who)
}

// randomToken is 32 random bytes, base64url without padding (43 characters).
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather)
	return base64.RawURLEncoding.EncodeToString(b)
}
