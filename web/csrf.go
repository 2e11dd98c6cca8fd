package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// The double-submit CSRF token: a random value in a SameSite=Strict cookie,
// repeated by every form in a hidden field (csrfField). A site that drives
// a browser to post here can neither read the cookie nor the page, so it
// cannot repeat the value; Strict keeps the cookie off cross-site requests
// altogether, and sameOrigin refuses them by their Origin as well.
const (
	csrfCookie    = "authmon_csrf"
	csrfFormField = "csrf"
	csrfHeader    = "X-CSRF-Token"
	// csrfTokenLen is the length of a token: 32 random bytes, base64url.
	csrfTokenLen = 43
	// maxPostBytes bounds a form post; the dashboard's forms are tiny.
	maxPostBytes = 64 << 10
)

type csrfKey struct{}

// csrfState is the token of one request. The cookie is set only when a page
// renders a form (csrfToken), so API answers and badges carry no cookie.
type csrfState struct {
	w     http.ResponseWriter
	token string // from the request's cookie, or minted by csrfToken
	sent  bool   // the browser has the token: it came in the cookie, or the cookie is set
	tls   bool   // served over TLS: the cookie is Secure
}

// csrfProtect refuses every state-changing request that is cross-site or
// lacks the token, with 403; safe methods go through and may mint a token.
func csrfProtect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &csrfState{w: w, token: cookieToken(r), tls: r.TLS != nil}
		st.sent = st.token != ""
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), csrfKey{}, st)))
			return
		}
		if !sameOrigin(r) {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxPostBytes)
		sent := r.Header.Get(csrfHeader)
		if sent == "" {
			_ = r.ParseForm() // a bad form has no token: refused below
			sent = r.PostForm.Get(csrfFormField)
		}
		if st.token == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(st.token)) != 1 {
			http.Error(w, "missing or expired form token: reload the page and try again", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), csrfKey{}, st)))
	})
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
	if st.token == "" {
		st.token = randomToken()
	}
	if !st.sent {
		http.SetCookie(st.w, &http.Cookie{Name: csrfCookie, Value: st.token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: st.tls})
		st.sent = true
	}
	return st.token
}

// randomToken is 32 random bytes, base64url without padding (43 characters).
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather)
	return base64.RawURLEncoding.EncodeToString(b)
}
