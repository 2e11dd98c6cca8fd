package demo

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var creds = Credentials{Username: "canary", Password: "pw", Token: "tok", APIKey: "key"}

type request struct {
	path string
	set  func(r *http.Request)
}

var (
	basicNone  = request{"/basic/profile", func(*http.Request) {}}
	basicWrong = request{"/basic/profile", func(r *http.Request) { r.SetBasicAuth("canary", "nope") }}
	basicGood  = request{"/basic/profile", func(r *http.Request) { r.SetBasicAuth("canary", "pw") }}
	bearerNone = request{"/bearer/orders", func(*http.Request) {}}
	bearerBad  = request{"/bearer/orders", func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }}
	bearerGood = request{"/bearer/orders", func(r *http.Request) { r.Header.Set("Authorization", "bearer tok") }}
	keyGood    = request{"/apikey/reports", func(r *http.Request) { r.Header.Set("X-API-Key", "key") }}
)

func TestModes(t *testing.T) {
	cases := []struct {
		mode      string
		req       request
		status    int
		challenge string // substring of WWW-Authenticate; "-" means absent
	}{
		{ModeOK, basicNone, 401, `Basic realm="demo"`},
		{ModeOK, basicWrong, 401, `Basic realm="demo"`},
		{ModeOK, basicGood, 200, "-"},
		{ModeOK, bearerNone, 401, `Bearer realm="demo"`},
		{ModeOK, bearerBad, 401, `error="invalid_token"`},
		{ModeOK, bearerGood, 200, "-"},
		{ModeOK, keyGood, 200, "-"},
		{ModeBypass, basicNone, 200, "-"},
		{ModeNoChallenge, bearerNone, 401, "-"},
		{ModeWrongAccepted, basicWrong, 200, "-"},
		{ModeWrongAccepted, basicNone, 401, `Basic`},
		{ModeDown, basicGood, 503, "-"},
	}
	for _, c := range cases {
		t.Run(c.mode+" "+c.req.path, func(t *testing.T) {
			api, err := New(creds, c.mode)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", c.req.path, nil)
			c.req.set(r)
			w := httptest.NewRecorder()
			api.Handler().ServeHTTP(w, r)
			got := w.Header().Get("WWW-Authenticate")
			if w.Code != c.status || (c.challenge == "-") != (got == "") || !strings.Contains(got, strings.TrimPrefix(c.challenge, "-")) {
				t.Fatalf("status %d challenge %q, want %d %q", w.Code, got, c.status, c.challenge)
			}
		})
	}
}

func TestLoginAndSetMode(t *testing.T) {
	api, _ := New(creds, "")
	w := httptest.NewRecorder()
	api.Handler().ServeHTTP(w, httptest.NewRequest("POST", "/login", strings.NewReader(`{"username":"canary","password":"pw"}`)))
	if w.Code != 401 { // no JSON content type: read as an empty form
		t.Fatalf("login without content type: %d", w.Code)
	}
	r := httptest.NewRequest("POST", "/login", strings.NewReader(`{"username":"canary","password":"pw"}`))
	r.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	api.Handler().ServeHTTP(w, r)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"access_token":"tok"`) || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	if err := api.SetMode("nonsense"); err == nil || api.Mode() != ModeOK {
		t.Fatalf("SetMode accepted nonsense: mode %q", api.Mode())
	}
}
