package demo

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func jsonBody(r *http.Request) { r.Header.Set("Content-Type", "application/json") }

// loginToken logs in with the good credentials and returns the JWT.
func loginToken(t *testing.T, api *API) string {
	t.Helper()
	w := serveAPI(api, "POST", "/login", `{"username":"canary","password":"pw"}`, jsonBody)
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &resp) != nil || resp.AccessToken == "" {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	return resp.AccessToken
}

func TestLogin(t *testing.T) {
	api, _ := New(creds, "")
	w := serveAPI(api, "POST", "/login", `{"username":"canary","password":"pw"}`, jsonBody)
	var resp struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != 200 {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	if resp.TokenType != "Bearer" || resp.ExpiresIn != 300 || w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("Pragma") != "no-cache" {
		t.Fatalf("token response: %s, headers %v", w.Body, w.Header())
	}
	c, err := api.signer.verify(resp.AccessToken, testIssuer, time.Now())
	if err != nil || c.Sub != "canary" || c.Exp-c.Iat != 300 || !c.hasScope("orders:read") {
		t.Fatalf("token: %+v, %v", c, err)
	}
	cookie := w.Header().Get("Set-Cookie")
	for _, attr := range []string{"__Host-sid=", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "Domain") {
		t.Errorf("Set-Cookie %q: a __Host- cookie has no Domain", cookie)
	}
	form := serveAPI(api, "POST", "/login", "username=canary&password=pw", func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	})
	basic := serveAPI(api, "POST", "/login", "", func(r *http.Request) { r.SetBasicAuth("canary", "pw") })
	if form.Code != 200 || basic.Code != 200 {
		t.Fatalf("form login %d, Basic login %d", form.Code, basic.Code)
	}
}

// TestLoginFailureIsGeneric: a wrong password and an unknown user get the
// same status, headers and body.
func TestLoginFailureIsGeneric(t *testing.T) {
	wrong := serve(t, ModeOK, "POST", "/login", `{"username":"canary","password":"nope"}`, jsonBody)
	unknown := serve(t, ModeOK, "POST", "/login", `{"username":"nobody","password":"nope"}`, jsonBody)
	if wrong.Code != 401 || wrong.Header().Get("WWW-Authenticate") != `Basic realm="demo"` {
		t.Fatalf("wrong password: %d %v", wrong.Code, wrong.Header())
	}
	if unknown.Code != wrong.Code || unknown.Body.String() != wrong.Body.String() || len(unknown.Header()) != len(wrong.Header()) {
		t.Fatalf("unknown user %d %q %v, wrong password %d %q %v", unknown.Code, unknown.Body, unknown.Header(), wrong.Code, wrong.Body, wrong.Header())
	}
	for k := range wrong.Header() {
		if unknown.Header().Get(k) != wrong.Header().Get(k) {
			t.Errorf("header %s differs: %q vs %q", k, unknown.Header().Get(k), wrong.Header().Get(k))
		}
	}
}

func TestLoginModes(t *testing.T) {
	cases := []struct {
		mode, body string
		status     int
	}{
		{ModeOK, `{}`, 401},
		{ModeBypass, `{}`, 200},
		{ModeWrongAccepted, `{"username":"x","password":"y"}`, 200},
		{ModeWrongAccepted, `{}`, 401},
		{ModeNoChallenge, `{"username":"x","password":"y"}`, 401},
		{ModeDown, `{"username":"canary","password":"pw"}`, 503},
	}
	for _, c := range cases {
		t.Run(c.mode+" "+c.body, func(t *testing.T) {
			w := serve(t, c.mode, "POST", "/login", c.body, jsonBody)
			challenged := w.Header().Get("WWW-Authenticate") != ""
			if w.Code != c.status || challenged != (c.status == 401 && c.mode != ModeNoChallenge) {
				t.Fatalf("status %d, challenge %v; want %d", w.Code, challenged, c.status)
			}
		})
	}
}

// TestSessionChangesAtLogin: the pre-login session id is replaced and
// dropped at login; only the new one opens /account.
func TestSessionChangesAtLogin(t *testing.T) {
	api, _ := New(creds, "")
	pre := cookieOf(t, serveAPI(api, "GET", "/session", "", nil))
	login := serveAPI(api, "POST", "/login", `{"username":"canary","password":"pw"}`, func(r *http.Request) {
		jsonBody(r)
		r.AddCookie(pre)
	})
	post := cookieOf(t, login)
	if post.Value == pre.Value {
		t.Fatal("the session id did not change at login")
	}
	for _, c := range []struct {
		name   string
		cookie *http.Cookie
		status int
	}{{"logged in", post, 200}, {"pre-login", pre, 302}, {"none", nil, 302}, {"forged", &http.Cookie{Name: sessionCookie, Value: "x"}, 302}} {
		w := serveAPI(api, "GET", "/account", "", func(r *http.Request) {
			if c.cookie != nil {
				r.AddCookie(c.cookie)
			}
		})
		if w.Code != c.status || (c.status == 302 && w.Header().Get("Location") != "/login") {
			t.Errorf("%s: %d %v, want %d", c.name, w.Code, w.Header(), c.status)
		}
	}
	_ = api.SetMode(ModeBypass)
	if w := serveAPI(api, "GET", "/account", "", nil); w.Code != 200 {
		t.Errorf("bypass: /account without a session: %d", w.Code)
	}
	if w := serveAPI(api, "GET", "/login", "", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "<form") {
		t.Errorf("login page: %d", w.Code)
	}
}

func cookieOf(t *testing.T, w interface{ Result() *http.Response }) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func TestSessionTableIsBounded(t *testing.T) {
	var s sessions
	now := time.Now()
	for i := range maxSessions + 50 {
		s.add(string(rune('a'+i%26))+time.Duration(i).String(), "u", now)
	}
	if len(s.m) > maxSessions {
		t.Fatalf("%d sessions kept, at most %d", len(s.m), maxSessions)
	}
	s.add("late", "u", now.Add(time.Hour)) // every earlier one has expired
	if len(s.m) != 1 {
		t.Fatalf("%d sessions after expiry, want 1", len(s.m))
	}
}
