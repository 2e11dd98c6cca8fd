package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// postMode posts the demo form with the cookie testCSRF and the token a page
// rendered for it.
func postMode(h http.Handler, mode string, hdr map[string]string) *httptest.ResponseRecorder {
	page := httptest.NewRecorder()
	get := httptest.NewRequest(http.MethodGet, "/", nil)
	get.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	h.ServeHTTP(page, get)
	token := ""
	if m := csrfValue.FindStringSubmatch(page.Body.String()); m != nil {
		token = m[1]
	}
	form := url.Values{"mode": {mode}, csrfFormField: {token}}.Encode()
	req := httptest.NewRequest(http.MethodPost, "http://monitor.test/demo/mode", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// csrfValue finds the token of a rendered form.
var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestDemoMode(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		hdr      map[string]string
		want     int
		wantMode string
	}{
		{"browser same origin", "bypass", map[string]string{"Origin": "http://monitor.test", "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther, "bypass"},
		{"typed in address bar", "bypass", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusSeeOther, "bypass"},
		{"non-browser client", "bypass", nil, http.StatusSeeOther, "bypass"},
		{"unknown mode", "open-sesame", map[string]string{"Origin": "http://monitor.test"}, http.StatusBadRequest, "normal"},
		{"cross-site origin", "bypass", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden, "normal"},
		{"same host other port", "bypass", map[string]string{"Origin": "http://monitor.test:8080"}, http.StatusForbidden, "normal"},
		{"opaque origin", "bypass", map[string]string{"Origin": "null"}, http.StatusForbidden, "normal"},
		{"cross-site fetch", "bypass", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, "normal"},
		{"same-site fetch", "bypass", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://monitor.test"}, http.StatusForbidden, "normal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, demo := newTestHandler(t)
			rec := postMode(h, tt.mode, tt.hdr)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.want, rec.Body.String())
			}
			if tt.want == http.StatusSeeOther && rec.Header().Get("Location") != "/" {
				t.Errorf("Location %q, want /", rec.Header().Get("Location"))
			}
			if demo.Mode() != tt.wantMode {
				t.Errorf("mode %q, want %q", demo.Mode(), tt.wantMode)
			}
		})
	}
}

func TestDemoDisabled(t *testing.T) {
	h := New(Deps{Store: seededStore(t), Checks: fixed(testChecks()), Now: func() time.Time { return t0 }})
	// Without the demo no page has a form, so the post has no token either:
	// refused before routing (403), or by the router.
	if rec := postMode(h, "bypass", nil); rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusNotFound &&
		rec.Code != http.StatusForbidden {
		t.Errorf("POST with the demo off: status %d", rec.Code)
	}
	if n := parse(t, get(t, h, "/")).Find(`[data-testid="demo"]`).Length(); n != 0 {
		t.Error("demo panel shown while the demo is off")
	}
}
