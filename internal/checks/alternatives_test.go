package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// An answer the check allows but the RFC does not expect passes with a
// deviation that says what the RFC expects.
func TestAllowedAlternatives(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		location  string // the Location the target sends
		spec      ProbeSpec
		failed    string // failed ids of the missing probe
		deviation string // of the C1 assertion
	}{
		{"403 allowed", 403, "", ProbeSpec{Status: []int{401, 403}}, "",
			"403 is allowed by this check; RFC 9110 §11.4 expects 401 with a WWW-Authenticate challenge"},
		{"404 hides the resource", 404, "", ProbeSpec{Status: []int{404}}, "",
			"404 is allowed by this check; RFC 9110 §11.4 expects 401 with a WWW-Authenticate challenge"},
		{"302 to the login page", 302, "/login?next=%2Fme", ProbeSpec{Status: []int{302}, Location: "/login"}, "",
			"302 is allowed by this check; RFC 9110 §11.4 expects 401 with a WWW-Authenticate challenge"},
		{"302 elsewhere", 302, "https://evil.test/login", ProbeSpec{Status: []int{302}, Location: "/login"}, "C1.location",
			"302 is allowed by this check; RFC 9110 §11.4 expects 401 with a WWW-Authenticate challenge"},
		{"302 without Location", 302, "", ProbeSpec{Status: []int{302}, Location: "/login"}, "C1.location",
			"302 is allowed by this check; RFC 9110 §11.4 expects 401 with a WWW-Authenticate challenge"},
		{"403 not allowed", 403, "", ProbeSpec{}, "C1", ""},
		{"401 when 403 is allowed too", 401, "", ProbeSpec{Status: []int{401, 403}}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.location != "" {
					w.Header().Set("Location", c.location)
				}
				if c.status == 401 {
					w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
				}
				w.WriteHeader(c.status)
			}))
			defer srv.Close()
			spec := c.spec
			spec.Kind = ProbeMissing
			ch := Check{Name: "alt", URL: srv.URL + "/me", Timeout: time.Second, MaxBody: 1024, Probes: []ProbeSpec{spec}}
			res := Run(context.Background(), srv.Client(), ch)
			var failed []string
			for _, f := range res.Failures() {
				failed = append(failed, f.Assertion.ID)
			}
			if got := strings.Join(failed, ","); got != c.failed {
				t.Fatalf("failed %q, want %q: %s", got, c.failed, res.Summary())
			}
			if a := assertionOf(t, res.Probes[0], "C1"); a.Deviation != c.deviation {
				t.Fatalf("deviation %q, want %q", a.Deviation, c.deviation)
			}
		})
	}
}

// TestScopeAlternatives: a pinned error code and a 404 for the scope probe
// pass with deviations naming RFC 6750.
func TestScopeAlternatives(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "Bearer " + canary:
			w.Write([]byte("ok"))
		case "Bearer " + scopeToken:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(403)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	ch := matrixCheck(srv.URL, canary)
	ch.Probes = []ProbeSpec{{Kind: ProbeScope, Token: scopeToken, Error: "invalid_token"},
		{Kind: ProbeExpired, Token: expiredToken, Status: []int{404}}}
	res := Run(context.Background(), srv.Client(), ch)
	if !res.Passed() {
		t.Fatal(res.Summary())
	}
	want := `error="invalid_token" is allowed by this check; RFC 6750 §3.1 expects error="insufficient_scope"`
	if a := assertionOf(t, res.Probes[0], "C8.error"); a.Deviation != want {
		t.Fatalf("deviation %q, want %q", a.Deviation, want)
	}
	if a := assertionOf(t, res.Probes[1], "C5"); !strings.HasPrefix(a.Deviation, "404 is allowed by this check") {
		t.Fatalf("deviation %q", a.Deviation)
	}
}

// loginRedirector redirects requests without credentials to /login, which
// answers 200 with a login form, and counts hops on /loop.
func loginRedirector() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/login":
			w.Write([]byte("<form>login</form>"))
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case r.Header.Get("Authorization") == "Bearer "+canary:
			w.Write([]byte("protected"))
		default:
			http.Redirect(w, r, "/login?next=/app", http.StatusFound)
		}
	}))
}

func TestRedirects(t *testing.T) {
	srv := loginRedirector()
	defer srv.Close()
	check := func(follow bool, location, path string) Check {
		return Check{Name: "redir", URL: srv.URL + path, Timeout: time.Second, MaxBody: 1024, FollowRedirects: follow,
			Auth:   Credential{Kind: AuthBearer, Token: canary},
			Probes: []ProbeSpec{{Kind: ProbeMissing, Status: []int{302}, Location: location}}}
	}
	// srv.Client() follows redirects by default: the check's policy wins.
	t.Run("not followed by default", func(t *testing.T) {
		res := Run(context.Background(), srv.Client(), check(false, "/login", "/app"))
		if p := res.Probes[0]; p.Status != 302 || !res.Passed() || p.RedirectedTo != "" {
			t.Fatalf("status %d redirected %q: %s", p.Status, p.RedirectedTo, res.Summary())
		}
	})
	t.Run("followed to the login page", func(t *testing.T) {
		res := Run(context.Background(), srv.Client(), check(true, "/login", "/app"))
		p := res.Probes[0]
		if p.Status != 200 || !res.Passed() || p.RedirectedTo != srv.URL+"/login?next=/app" {
			t.Fatalf("status %d redirected %q: %s", p.Status, p.RedirectedTo, res.Summary())
		}
		if a := assertionOf(t, p, "C1"); !strings.HasPrefix(a.Deviation, "a redirect to the login page is allowed by this check") {
			t.Fatalf("deviation %q", a.Deviation)
		}
	})
	t.Run("a wrong token followed to the login page", func(t *testing.T) {
		ch := check(true, "/login", "/app")
		ch.Probes = []ProbeSpec{{Kind: ProbeWrong, Status: []int{302}, Location: "/login"}}
		res := Run(context.Background(), srv.Client(), ch)
		// A Bearer check's B2 cites RFC 6750 with RFC 9110, not the token
		// endpoint's or the JWT RFC.
		if b2 := assertionOf(t, res.Probes[0], "B2"); !b2.Pass || b2.Ref != "RFC 9110 §11.4; RFC 6750 §3.1" {
			t.Fatalf("B2 = %+v", b2)
		}
	})
	t.Run("followed without a login location is a bypass", func(t *testing.T) {
		res := Run(context.Background(), srv.Client(), check(true, "", "/app"))
		if got := strings.Join(failedIDs(res), ","); got != "missing/B1" {
			t.Fatalf("failed %q: %s", got, res.Summary())
		}
	})
	t.Run("at most 10 redirects", func(t *testing.T) {
		res := Run(context.Background(), srv.Client(), check(true, "/login", "/loop"))
		if p := res.Probes[0]; p.Error != "stopped after 10 redirects" {
			t.Fatalf("error %q", p.Error)
		}
	})
}

// TestRedirectDropsTheKeyHeader: a followed redirect to another host must
// not carry the API key there.
func TestRedirectDropsTheKeyHeader(t *testing.T) {
	got := make(chan string, 1)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-Api-Key")
		w.WriteHeader(401)
	}))
	defer other.Close()
	// "localhost" and "127.0.0.1" are different hosts to the client.
	to := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(http.RedirectHandler(to, http.StatusFound))
	defer srv.Close()
	ch := Check{Name: "key", URL: srv.URL, Timeout: time.Second, MaxBody: 1024, FollowRedirects: true,
		Auth: Credential{Kind: AuthAPIKey, Header: "X-Api-Key", Key: canary}, Secrets: []string{canary},
		Probes: []ProbeSpec{{Kind: ProbeValid}}}
	Run(context.Background(), srv.Client(), ch)
	if v := <-got; v != "" {
		t.Fatalf("the key reached the other host: %q", v)
	}
}
