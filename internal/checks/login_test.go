package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// loginBehaviour bends the sample login API: it returns true when it
// answered the request itself.
type loginBehaviour func(w http.ResponseWriter, r *http.Request, user, pass string) bool

// loginAPI is a correct JSON login API: the canary gets a JWT, a session
// cookie with every flag and no-store; anything else a 401 with a
// challenge and a generic message.
func loginAPI(tls bool, behave loginBehaviour) *httptest.Server {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass := credentialsOf(r, "username", "password")
		if behave != nil && behave(w, r, user, pass) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if user != "canary" || pass != passwordCanary {
			w.Header().Set("WWW-Authenticate", `Bearer realm="login"`)
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"invalid username or password"}`))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.SetCookie(w, &http.Cookie{Name: "__Host-sid", Value: "sess-" + randomHex(8), Path: "/",
			Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		now := time.Now()
		tok := kindJWT("RS256", map[string]any{"iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "sub": "canary"})
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":900}`, tok)
	})
	if tls {
		return httptest.NewTLSServer(h)
	}
	return httptest.NewServer(h)
}

func loginCheck(t *testing.T, srv *httptest.Server, spec LoginSpec) Check {
	return Check{Name: t.Name() + "-" + randomHex(4), Kind: KindLogin, URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:   Credential{Kind: AuthLogin, Username: "canary", Password: passwordCanary},
		Login:  &spec,
		Probes: []ProbeSpec{{Kind: ProbeLogin}, {Kind: ProbeLoginWrong}}}
}

// kindFailures lists "probe/id" of every failed assertion.
func kindFailures(r Result) []string {
	var out []string
	for _, f := range r.Failures() {
		out = append(out, string(f.Probe)+"/"+f.Assertion.ID)
	}
	return out
}

// kindAssertion finds the first assertion with id in the probe of kind k.
func kindAssertion(t *testing.T, r Result, k ProbeKind, id string) Assertion {
	t.Helper()
	for _, p := range r.Probes {
		if p.Kind != k {
			continue
		}
		for _, a := range p.Assertions {
			if a.ID == id {
				return a
			}
		}
	}
	t.Fatalf("no %s assertion on the %s probe in %+v", id, k, r.Probes)
	return Assertion{}
}

func TestLoginCheckJudgesTheLogin(t *testing.T) {
	cookie := func(c *http.Cookie) loginBehaviour {
		return func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
			if pass != passwordCanary {
				return false
			}
			http.SetCookie(w, c)
			w.Header().Set("Cache-Control", "no-store")
			w.Write([]byte(`{}`))
			return true
		}
	}
	wrong := func(status int, body string) loginBehaviour {
		return func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
			if pass == passwordCanary {
				return false
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
			return true
		}
	}
	issue := func(tok string) loginBehaviour {
		return func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
			if pass != passwordCanary {
				return false
			}
			w.Header().Set("Cache-Control", "no-store")
			fmt.Fprintf(w, `{"access_token":%q,"expires_in":60}`, tok)
			return true
		}
	}
	now := time.Now()
	cases := []struct {
		name   string
		behave loginBehaviour
		spec   LoginSpec
		want   []string
	}{
		{"correct login API", nil, LoginSpec{}, nil},
		{"wrong password accepted", wrong(200, `{"ok":false}`), LoginSpec{}, []string{"login_wrong/B2"}},
		{"wrong password refused yet a token issued", wrong(401, `{"access_token":"abcdef123456"}`), LoginSpec{}, []string{"login_wrong/B2"}},
		{"wrong password refused yet the session cookie set", func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
			if pass == passwordCanary {
				return false
			}
			http.SetCookie(w, &http.Cookie{Name: "__Host-sid", Value: "authenticated-session"})
			w.WriteHeader(401)
			return true
		}, LoginSpec{TokenCookie: "__Host-sid"}, []string{"login_wrong/B2"}},
		{"login broken", func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
			if pass == passwordCanary {
				w.WriteHeader(503)
			}
			return pass == passwordCanary
		}, LoginSpec{}, []string{"login/A1"}},
		{"no token where configured", nil, LoginSpec{TokenJSON: "data.token"}, []string{"login/A1.token"}},
		{"token answer cacheable", func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
			if pass != passwordCanary {
				return false
			}
			w.Header().Set("Cache-Control", "private, max-age=60")
			w.Write([]byte(`{"access_token":"abcdef123456"}`))
			return true
		}, LoginSpec{}, []string{"login/B5"}},
		{"session cookie without any flag", cookie(&http.Cookie{Name: "session", Value: "abcdef123456"}), LoginSpec{},
			[]string{"login/B6.secure", "login/B6.httponly", "login/B6.samesite", "login/B6.prefix"}},
		{"SameSite=None without Secure", cookie(&http.Cookie{Name: "sid", Value: "abcdef123456", HttpOnly: true, SameSite: http.SameSiteNoneMode}),
			LoginSpec{TokenCookie: "sid"}, []string{"login/B6.secure", "login/B6.samesite", "login/B6.prefix"}},
		{"broken __Host- cookie", cookie(&http.Cookie{Name: "__Host-sid", Value: "abcdef123456", Path: "/app", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}),
			LoginSpec{}, []string{"login/B6.prefix"}},
		{"session cookie answer cacheable", func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
			if pass != passwordCanary {
				return false
			}
			http.SetCookie(w, &http.Cookie{Name: "__Host-sid", Value: "abcdef123456", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
			return true
		}, LoginSpec{}, []string{"login/B6.no-store"}},
		{"unsigned token issued", issue(kindJWT("none", map[string]any{"exp": now.Add(time.Minute).Unix()})), LoginSpec{}, []string{"login/B9.alg"}},
		{"expired token issued", issue(kindJWT("RS256", map[string]any{"exp": now.Add(-time.Hour).Unix()})), LoginSpec{}, []string{"login/B9.exp", "login/B10"}},
		{"expires_in disagrees with the JWT", issue(kindJWT("RS256", map[string]any{"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})),
			LoginSpec{}, []string{"login/B10"}},
		{"user not found", wrong(401, `{"error":"User not found"}`), LoginSpec{}, []string{"login_wrong/C5.challenge", "login_wrong/B14"}},
		{"stack trace", wrong(500, "Traceback (most recent call last):\n  File \"app.py\", line 3"), LoginSpec{}, []string{"login_wrong/A1", "login_wrong/B14"}},
		{"SQL error", wrong(401, `SQLSTATE[42000]: syntax error`), LoginSpec{}, []string{"login_wrong/C5.challenge", "login_wrong/B14"}},
		{"401 without a challenge", wrong(401, `{"error":"invalid username or password"}`), LoginSpec{}, []string{"login_wrong/C5.challenge"}},
		{"403 for a wrong password", wrong(403, `{"error":"invalid username or password"}`), LoginSpec{}, []string{"login_wrong/C5"}},
		{"403 allowed by the check", wrong(403, `{"error":"invalid username or password"}`), LoginSpec{WrongStatus: []int{401, 403}}, nil},
		{"200 allowed for a wrong password, no token", wrong(200, `{"ok":false}`), LoginSpec{WrongStatus: []int{200}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := loginAPI(true, c.behave)
			defer srv.Close()
			res := Run(context.Background(), srv.Client(), loginCheck(t, srv, c.spec))
			if got := kindFailures(res); !slices.Equal(got, c.want) {
				b, _ := json.MarshalIndent(res.Probes, "", " ")
				t.Fatalf("failed %v, want %v\n%s", got, c.want, b)
			}
			if len(res.Probes) != 2 {
				t.Fatalf("%d probes, want login and login_wrong", len(res.Probes))
			}
		})
	}
}

func TestLoginCheckSeveritiesAndDeviation(t *testing.T) {
	srv := loginAPI(true, func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
		if pass == passwordCanary {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abcdef123456"})
			w.Header().Set("Cache-Control", "no-store")
			return true
		}
		w.WriteHeader(200)
		return true
	})
	defer srv.Close()
	res := Run(context.Background(), srv.Client(), loginCheck(t, srv, LoginSpec{}))
	if a := kindAssertion(t, res, ProbeLoginWrong, "B2"); a.Severity != SevCritical || !strings.Contains(a.Reason, "wrong password accepted") {
		t.Errorf("B2 = %+v", a)
	}
	for id, sev := range map[string]Severity{"B6.secure": SevHighSec, "B6.httponly": SevHighSec, "B6.samesite": SevWarn, "B6.prefix": SevWarn} {
		if a := kindAssertion(t, res, ProbeLogin, id); a.Severity != sev || a.Pass {
			t.Errorf("%s = %+v, want failed with %s", id, a, sev)
		}
	}

	srv2 := loginAPI(true, func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
		if pass != passwordCanary {
			w.WriteHeader(403)
			return true
		}
		return false
	})
	defer srv2.Close()
	res = Run(context.Background(), srv2.Client(), loginCheck(t, srv2, LoginSpec{WrongStatus: []int{403}}))
	if a := kindAssertion(t, res, ProbeLoginWrong, "C5"); !a.Pass || !strings.Contains(a.Deviation, "RFC 9110 §11.4 expects 401") {
		t.Errorf("C5 = %+v, want a pass with a deviation", a)
	}
}

func TestLoginOverPlainHTTPOnlyWarnsAboutSecure(t *testing.T) {
	srv := loginAPI(false, func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
		if pass != passwordCanary {
			return false
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abcdef123456", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		w.Header().Set("Cache-Control", "no-store")
		return true
	})
	defer srv.Close()
	res := Run(context.Background(), srv.Client(), loginCheck(t, srv, LoginSpec{}))
	a := kindAssertion(t, res, ProbeLogin, "B6.secure")
	if a.Pass || a.Severity != SevWarn || !strings.Contains(a.Reason, "serve the login over https") {
		t.Fatalf("B6.secure = %+v, want a warning about plain http", a)
	}
}

func TestLoginSessionIDMustChange(t *testing.T) {
	for _, c := range []struct {
		name  string
		renew bool
		keep  bool // set the pre-login value again
		pass  bool
	}{
		{"renewed at login", true, false, true},
		{"kept (session fixation)", false, false, false},
		{"set again with the same value", false, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := loginAPI(true, func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
				if r.Method == http.MethodGet {
					http.SetCookie(w, &http.Cookie{Name: "__Host-sid", Value: "pre-login-session", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
					return true
				}
				if pass != passwordCanary {
					return false
				}
				if got, err := r.Cookie("__Host-sid"); err != nil || got.Value != "pre-login-session" {
					w.WriteHeader(400) // the pre-login session must be sent with the login
					return true
				}
				w.Header().Set("Cache-Control", "no-store")
				switch {
				case c.renew:
					http.SetCookie(w, &http.Cookie{Name: "__Host-sid", Value: "post-login-session", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
				case c.keep:
					http.SetCookie(w, &http.Cookie{Name: "__Host-sid", Value: "pre-login-session", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
				}
				return true
			})
			defer srv.Close()
			res := Run(context.Background(), srv.Client(), loginCheck(t, srv, LoginSpec{SessionURL: srv.URL + "/login-page", TokenCookie: "__Host-sid"}))
			a := kindAssertion(t, res, ProbeLogin, "B7")
			if a.Pass != c.pass || a.Severity != SevHighSec {
				t.Fatalf("B7 = %+v, want pass=%v", a, c.pass)
			}
		})
	}
}

func TestLoginRateLimitPausesNegativeProbes(t *testing.T) {
	var wrongTries atomic.Int32
	srv := loginAPI(true, func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
		if pass == passwordCanary {
			return false
		}
		wrongTries.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
		return true
	})
	defer srv.Close()
	ch := loginCheck(t, srv, LoginSpec{})
	rn := NewRunner(srv.Client(), nil, nil)
	res := rn.Run(context.Background(), ch)
	if !res.Passed() || !res.Probes[1].RateLimited || wrongTries.Load() != 1 {
		t.Fatalf("first run: passed=%v rate limited=%v tries=%d: %v", res.Passed(), res.Probes[1].RateLimited, wrongTries.Load(), kindFailures(res))
	}
	res = rn.Run(context.Background(), ch)
	p := res.Probes[1]
	if !res.Passed() || !p.RateLimited || p.Status != 0 || wrongTries.Load() != 1 {
		t.Fatalf("second run sent the wrong login again (tries %d) or judged it: %+v", wrongTries.Load(), p)
	}
	if res.Probes[0].Status != 200 {
		t.Fatalf("the good login keeps running while paused, got %+v", res.Probes[0])
	}
}

func TestLoginCheckNeverRecordsSecrets(t *testing.T) {
	srv := loginAPI(true, func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
		if pass != passwordCanary {
			return false
		}
		w.Header().Set("X-Session", issuedTokenCanary)
		w.Header().Set("Cache-Control", "no-store")
		http.SetCookie(w, &http.Cookie{Name: "__Host-sid", Value: issuedTokenCanary, Path: "/", Secure: true, HttpOnly: true})
		// A careless API echoing the password and putting the token in an odd place.
		fmt.Fprintf(w, `{"data":{"session":{"value":"%s"}},"echo":"%s"}`, issuedTokenCanary, passwordCanary)
		return true
	})
	defer srv.Close()
	for _, spec := range []LoginSpec{{TokenJSON: "data.session.value"}, {TokenHeader: "X-Session"}, {TokenCookie: "__Host-sid"}} {
		res := Run(context.Background(), srv.Client(), loginCheck(t, srv, spec))
		b, _ := json.Marshal(res)
		for _, secret := range []string{passwordCanary, issuedTokenCanary} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("%+v: the result records %q:\n%s", spec, secret, b)
			}
		}
		if res.Probes[0].Status != 200 {
			t.Fatalf("login failed: %+v", res.Probes[0])
		}
	}
}
