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

func TestSetMode(t *testing.T) {
	api, _ := New(creds, "")
	if err := api.SetMode("nonsense"); err == nil || api.Mode() != ModeOK {
		t.Fatalf("SetMode accepted nonsense: mode %q", api.Mode())
	}
}

// serve sends one request to a fresh API in mode and returns the answer.
func serve(t *testing.T, mode, method, path string, body string, set func(r *http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	api, err := New(creds, mode)
	if err != nil {
		t.Fatal(err)
	}
	return serveAPI(api, method, path, body, set)
}

func serveAPI(api *API, method, path string, body string, set func(r *http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if set != nil {
		set(r)
	}
	w := httptest.NewRecorder()
	api.Handler().ServeHTTP(w, r)
	return w
}
