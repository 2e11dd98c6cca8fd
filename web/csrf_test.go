package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// testCSRF is a well-formed token (43 base64url characters) for posts.
const testCSRF = "dGVzdC10b2tlbi10ZXN0LXRva2VuLXRlc3QtdG9rZW4"

// TestCSRFTokenOnForms: a page with a form sets the Strict cookie once and
// puts in the form a token derived from it, not the cookie itself; a browser
// that has the cookie gets no new one.
func TestCSRFTokenOnForms(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/")
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == csrfCookie {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("the overview with the demo form set no CSRF cookie")
	}
	if cookie.SameSite != http.SameSiteStrictMode || !cookie.HttpOnly || cookie.Path != "/" || len(cookie.Value) != csrfTokenLen {
		t.Errorf("cookie %+v: want SameSite=Strict, HttpOnly, Path=/, a %d-character value", cookie, csrfTokenLen)
	}
	fields := parse(t, rec).Find(`form[action="/demo/mode"] input[name="csrf"]`)
	if fields.Length() == 0 {
		t.Fatal("the demo forms carry no csrf field")
	}
	first, _ := fields.First().Attr("value")
	fields.Each(func(_ int, f *goquery.Selection) {
		if v, _ := f.Attr("value"); v != first || len(v) != csrfTokenLen || v == cookie.Value {
			t.Errorf("form token %q (first %q), cookie %q: want one %d-character token that is not the cookie",
				v, first, cookie.Value, csrfTokenLen)
		}
	})
	again := getWith(t, h, "/", testCSRF, nil)
	if sc := again.Header().Get("Set-Cookie"); sc != "" {
		t.Errorf("a browser with the cookie got Set-Cookie %q", sc)
	}
	if tok := formTokenOf(t, again); tok == "" || tok == testCSRF || tok == first {
		t.Errorf("form token %q for the browser's cookie: want its own token", tok)
	}
	if sc := get(t, h, "/api/v1/checks").Header().Get("Set-Cookie"); sc != "" {
		t.Errorf("the API set a cookie: %q", sc)
	}
}

// getWith serves a GET with a CSRF cookie (when not empty) and headers.
func getWith(t *testing.T, h http.Handler, path, cookie string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// formTokenOf is the csrf field of the page's first demo form.
func formTokenOf(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	v, _ := parse(t, rec).Find(`form[action="/demo/mode"] input[name="csrf"]`).First().Attr("value")
	return v
}

// postMode posts the demo form as a client that sends the given cookie,
// field, X-CSRF-Token and other headers (none when empty).
func postForm(t *testing.T, h http.Handler, cookie, field, header string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	form := url.Values{"mode": {"bypass"}}
	if field != "" {
		form.Set(csrfFormField, field)
	}
	req := httptest.NewRequest(http.MethodPost, "http://monitor.test/demo/mode", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
	}
	if header != "" {
		req.Header.Set(csrfHeader, header)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestCSRFRefusesPostsWithoutToken: every post needs the cookie and the
// token the page derived from it, in the form or the X-CSRF-Token header,
// besides the cross-origin check.
func TestCSRFRefusesPostsWithoutToken(t *testing.T) {
	other := "b3RoZXItdG9rZW4tb3RoZXItdG9rZW4tb3RoZXItdG8"
	tests := []struct {
		name          string
		cookie, field string // "TOKEN" is the page's token for the cookie
		header        string
		hdr           map[string]string
		want          int
	}{
		{"page token in the form", testCSRF, "TOKEN", "", map[string]string{"Origin": "http://monitor.test"}, http.StatusSeeOther},
		{"page token in the header", testCSRF, "", "TOKEN", nil, http.StatusSeeOther},
		{"same-origin fetch", testCSRF, "TOKEN", "", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"no token at all", "", "", "", nil, http.StatusForbidden},
		{"field without cookie", "", "TOKEN", "", nil, http.StatusForbidden},
		{"cookie without field", testCSRF, "", "", nil, http.StatusForbidden},
		{"field for another cookie", other, "TOKEN", "", nil, http.StatusForbidden},
		{"cookie repeated as the field", testCSRF, testCSRF, "", nil, http.StatusForbidden},
		{"cookie repeated in the header", testCSRF, "", testCSRF, nil, http.StatusForbidden},
		{"malformed cookie", "x", "x", "", nil, http.StatusForbidden},
		{"right token, cross-site origin", testCSRF, "TOKEN", "", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"right token, cross-site fetch", testCSRF, "TOKEN", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"right token, same-site fetch", testCSRF, "TOKEN", "", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, demo := newTestHandler(t)
			token := formTokenOf(t, getWith(t, h, "/", testCSRF, nil))
			fill := func(v string) string { return strings.ReplaceAll(v, "TOKEN", token) }
			rec := postForm(t, h, tt.cookie, fill(tt.field), fill(tt.header), tt.hdr)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.want, rec.Body.String())
			}
			if changed := demo.Mode() == "bypass"; changed != (tt.want == http.StatusSeeOther) {
				t.Errorf("mode %q after status %d", demo.Mode(), rec.Code)
			}
		})
	}
}

// TestCSRFForgedPairRefused (item 20): a request without Origin or
// Sec-Fetch-Site (an old browser, a plug-in, a cookie planted from a sibling
// domain) whose cookie and form token were both chosen by the attacker is
// refused; so is a token minted for another user, another process, or
// another cookie. The token of a page rendered for this user still works.
func TestCSRFForgedPairRefused(t *testing.T) {
	users := map[string]string{"ops": testHash(t, canary), "eve": testHash(t, "eve-password")}
	h := newAuthHandler(t, AuthConfig{Users: users})
	ops, eve := basic("ops", canary), basic("eve", "eve-password")
	planted := randomToken()
	mine := formTokenOf(t, getWith(t, h, "/", planted, ops))
	evesToken := formTokenOf(t, getWith(t, h, "/", planted, eve))
	restarted := formTokenOf(t, getWith(t, newAuthHandler(t, AuthConfig{Users: users}), "/", planted, ops))
	if mine == "" || evesToken == "" || restarted == "" {
		t.Fatal("the overview rendered no form token")
	}
	tests := []struct {
		name, field, header string
		want                int
	}{
		{"cookie repeated in the form", planted, "", http.StatusForbidden},
		{"cookie repeated in the header", "", planted, http.StatusForbidden},
		{"token minted for another user", evesToken, "", http.StatusForbidden},
		{"token of another process", restarted, "", http.StatusForbidden},
		{"the page's own token", mine, "", http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rec := postForm(t, h, planted, tt.field, tt.header, ops); rec.Code != tt.want {
				t.Errorf("status %d, want %d (%s)", rec.Code, tt.want, rec.Body.String())
			}
		})
	}
}

// TestSecurityHeadersEverywhere: every answer, API, badges, errors and 401s
// included, carries them.
func TestSecurityHeadersEverywhere(t *testing.T) {
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	open, _ := newTestHandler(t)
	closed := newAuthHandler(t, AuthConfig{Users: map[string]string{"ops": testHash(t, canary)}})
	for _, tc := range []struct {
		h    http.Handler
		path string
	}{{open, "/"}, {open, "/nope"}, {open, "/api/v1/checks"}, {open, "/api/v1/nope"}, {open, "/badges/api-basic/status.svg"},
		{open, "/healthz"}, {open, "/static/style.css"}, {closed, "/"}, {closed, "/api/v1/checks"}} {
		rec := get(t, tc.h, tc.path)
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s (%d): %s = %q, want %q", tc.path, rec.Code, k, got, v)
			}
		}
	}
}
