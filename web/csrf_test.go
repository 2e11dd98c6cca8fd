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
// repeats its value in the form; a browser that has the cookie gets no new one.
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
	fields.Each(func(_ int, f *goquery.Selection) {
		if v, _ := f.Attr("value"); v != cookie.Value {
			t.Errorf("form token %q, cookie %q", v, cookie.Value)
		}
	})
	again := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	h.ServeHTTP(again, req)
	if sc := again.Header().Get("Set-Cookie"); sc != "" {
		t.Errorf("a browser with the cookie got Set-Cookie %q", sc)
	}
	if !strings.Contains(again.Body.String(), `value="`+testCSRF+`"`) {
		t.Error("the form does not repeat the browser's token")
	}
	if sc := get(t, h, "/api/v1/checks").Header().Get("Set-Cookie"); sc != "" {
		t.Errorf("the API set a cookie: %q", sc)
	}
}

// TestCSRFRefusesPostsWithoutToken: every post needs the cookie and the
// same value in the form (or the X-CSRF-Token header), besides the origin check.
func TestCSRFRefusesPostsWithoutToken(t *testing.T) {
	other := "b3RoZXItdG9rZW4tb3RoZXItdG9rZW4tb3RoZXItdG8"
	tests := []struct {
		name          string
		cookie, field string
		header        string
		origin        string
		want          int
	}{
		{"cookie and field match", testCSRF, testCSRF, "", "http://monitor.test", http.StatusSeeOther},
		{"cookie and header match", testCSRF, "", testCSRF, "", http.StatusSeeOther},
		{"no token at all", "", "", "", "", http.StatusForbidden},
		{"field without cookie", "", testCSRF, "", "", http.StatusForbidden},
		{"cookie without field", testCSRF, "", "", "", http.StatusForbidden},
		{"field differs", testCSRF, other, "", "", http.StatusForbidden},
		{"malformed cookie", "x", "x", "", "", http.StatusForbidden},
		{"right token, cross-site origin", testCSRF, testCSRF, "", "https://evil.example", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, demo := newTestHandler(t)
			form := url.Values{"mode": {"bypass"}}
			if tt.field != "" {
				form.Set(csrfFormField, tt.field)
			}
			req := httptest.NewRequest(http.MethodPost, "http://monitor.test/demo/mode", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: csrfCookie, Value: tt.cookie})
			}
			if tt.header != "" {
				req.Header.Set(csrfHeader, tt.header)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.want, rec.Body.String())
			}
			if changed := demo.Mode() == "bypass"; changed != (tt.want == http.StatusSeeOther) {
				t.Errorf("mode %q after status %d", demo.Mode(), rec.Code)
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
