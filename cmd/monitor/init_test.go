package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/config"
)

// Credentials the init target accepts; the tests give them to the
// generated stanzas through the environment.
const (
	initPassword = "INIT-pw-3141"
	initToken    = "INIT-token-2718"
	initKey      = "INIT-key-1618"
	initSession  = "INIT-session-1414"
)

// initTarget answers like the kinds of endpoints init must recognise.
func initTarget(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	var srv *httptest.Server
	refuse := func(w http.ResponseWriter, challenge string) {
		if challenge != "" {
			w.Header().Set("WWW-Authenticate", challenge)
		}
		w.WriteHeader(http.StatusUnauthorized)
	}
	mux.HandleFunc("/basic/items", func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); ok && pw == initPassword {
			fmt.Fprint(w, "ok")
			return
		}
		refuse(w, `Basic realm="inventory ${HOME} \"quoted\"", charset="UTF-8"`)
	})
	mux.HandleFunc("/bearer/orders", func(w http.ResponseWriter, r *http.Request) {
		switch auth := r.Header.Get("Authorization"); {
		case auth == "Bearer "+initToken:
			fmt.Fprint(w, `{"orders":[]}`)
		case auth == "":
			refuse(w, `Bearer realm="orders"`)
		case strings.HasPrefix(auth, "Bearer ") && checks.IsToken(strings.TrimPrefix(auth, "Bearer ")):
			refuse(w, `Bearer realm="orders", error="invalid_token"`)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="orders", error="invalid_request"`)
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/reports", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") == initKey {
			fmt.Fprint(w, "ok")
			return
		}
		refuse(w, `ApiKey realm="reports"`)
	})
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("api_key") == initKey {
			fmt.Fprint(w, "ok")
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("/digest", func(w http.ResponseWriter, r *http.Request) {
		refuse(w, `Digest realm="legacy", nonce="abc", qop="auth", algorithm=SHA-256`)
	})
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) })
	mux.HandleFunc("/app/account", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("app_sid"); err == nil && c.Value == initSession {
			fmt.Fprint(w, "<h1>account</h1>")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "app_sid", Value: "", Path: "/"})
		http.Redirect(w, r, "/login?next=%2Fapp%2Faccount", http.StatusFound)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/moved/", func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); ok && pw == initPassword {
			fmt.Fprint(w, "ok")
			return
		}
		refuse(w, `Basic realm="moved"`)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/", http.StatusFound) })
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/multi", func(w http.ResponseWriter, r *http.Request) { // RFC 9110 §11.6.1's example
		refuse(w, `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`)
	})
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) { refuse(w, `=== "unterminated, @@`) })
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "ftp://127.0.0.1/x")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/public", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>identity provider</html>") })
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":"%[1]s/authorize","token_endpoint":"%[1]s/token",`+
			`"jwks_uri":"%[1]s/jwks","response_types_supported":["code"],"subject_types_supported":["public"],`+
			`"id_token_signing_alg_values_supported":["RS256"]}`, srv.URL)
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"keys":[{"kty":"RSA","kid":"k1","n":"sXch","e":"AQAB"}]}`)
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

var initEnv = map[string]string{
	"BASIC_PASSWORD": initPassword, "BASIC_USERNAME": "canary", "BEARER_TOKEN": initToken,
	"REPORTS_API_KEY": initKey, "SEARCH_API_KEY": initKey, "APP_SESSION": initSession, "FORBIDDEN_TOKEN": initToken,
	"MOVED_USERNAME": "canary", "MOVED_PASSWORD": initPassword,
}

// TestInitStanzas generates a stanza per kind of answer, loads it with the
// config package (the environment holding the credentials) and, where the
// target behaves, runs it with `monitor check`: the stanza must pass.
func TestInitStanzas(t *testing.T) {
	srv := initTarget(t)
	for _, tc := range []struct {
		name, path, env string
		want            []string // in the stanza
		passes          bool     // `monitor check` on it exits 0
		verify          func(t *testing.T, c checks.Check)
	}{
		{"basic with realm", "/basic/items", "BASIC", []string{`realm = "inventory $${HOME} \"quoted\""`, `username = "${BASIC_USERNAME}"`, "set BASIC_USERNAME and BASIC_PASSWORD"}, true,
			func(t *testing.T, c checks.Check) {
				if c.Auth.Kind != checks.AuthBasic || c.Probes[1].Realm != `inventory ${HOME} "quoted"` {
					t.Fatalf("%+v", c.Probes[1])
				}
			}},
		{"bearer with realm", "/bearer/orders", "BEARER", []string{`type = "bearer"`, `realm = "orders"`, `token = "${BEARER_TOKEN}"`}, true,
			func(t *testing.T, c checks.Check) {
				if c.Auth.Kind != checks.AuthBearer || c.Probes[1].Realm != "orders" {
					t.Fatalf("%+v", c.Probes)
				}
			}},
		{"api key scheme", "/reports", "REPORTS", []string{`type = "api_key"`, `header = "X-API-Key"`, `scheme = "ApiKey"`}, true, nil},
		{"key in the query", "/search?api_key=" + initKey + "&q=x", "SEARCH", []string{`query = "api_key"`, `url = "` + srv.URL + `/search?q=x"`, `removed "api_key" from the URL`}, false,
			func(t *testing.T, c checks.Check) {
				if c.Auth.Kind != checks.AuthAPIKey || c.Auth.Query != "api_key" {
					t.Fatalf("%+v", c.Auth)
				}
			}},
		{"digest", "/digest", "DIGEST", []string{`type = "digest"`, `realm = "legacy"`, "${DIGEST_PASSWORD}", "algorithm SHA-256"}, false,
			func(t *testing.T, c checks.Check) {
				if c.Auth.Kind != checks.AuthDigest || c.Probes[1].Scheme != "Digest" || c.Probes[1].Realm != "legacy" {
					t.Fatalf("%+v %+v", c.Auth, c.Probes)
				}
			}},
		{"several challenges", "/multi", "MULTI", []string{`type = "basic"`, `realm = "simple"`}, false, nil},
		{"unreadable challenge", "/garbage", "GARBAGE", []string{`type = "bearer"`, `# ignore = ["C1.challenge", "C5.challenge"]`}, false, nil},
		{"403 without challenge", "/forbidden", "FORBIDDEN", []string{"status = [403]", "status = [401, 403]", "status = [400, 401, 403]"}, false, nil},
		{"redirect to a login page", "/app/account", "APP", []string{"status = [302]", `location = "/login"`, `name = "app_sid"`, `probes = ["valid", "missing", "wrong"]`}, true,
			func(t *testing.T, c checks.Check) {
				if c.Auth.Kind != checks.AuthCookie || c.Probes[1].Location != "/login" || c.Probes[2].Location != "/login" {
					t.Fatalf("%+v", c.Probes)
				}
			}},
		{"moved, then Basic", "/moved", "MOVED", []string{"GET " + srv.URL + "/moved redirected", `url = "` + srv.URL + `/moved/"`, `realm = "moved"`}, true, nil},
		{"open", "/public", "PUBLIC", []string{"WARNING: " + srv.URL + "/public answered 200 without credentials: not protected?"}, false,
			func(t *testing.T, c checks.Check) {
				if len(c.Probes) != 1 || c.Probes[0].Kind != checks.ProbeMissing {
					t.Fatalf("%+v", c.Probes)
				}
			}},
		{"issuer", "/", "IDP", []string{`kind = "discovery"`, `url = "` + srv.URL + `/.well-known/openid-configuration"`, `issuer = "` + srv.URL + `"`}, true, nil},
		{"discovery document", "/.well-known/openid-configuration", "IDP", []string{`kind = "discovery"`}, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI("init", "-env", tc.env, srv.URL+tc.path)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, secret := range []string{initPassword, initToken, initKey, initSession} {
				if strings.Contains(out, secret) {
					t.Fatalf("the stanza holds a secret:\n%s", out)
				}
			}
			cfg, err := config.Parse("init.toml", []byte(out), func(k string) (string, bool) {
				if v, ok := initEnv[k]; ok {
					return v, true
				}
				return "set-" + strings.ToLower(k), strings.HasPrefix(k, tc.env+"_")
			})
			if err != nil {
				t.Fatalf("the stanza does not validate: %v\n%s", err, out)
			}
			if tc.verify != nil {
				tc.verify(t, cfg.Checks[0])
			}
			if tc.passes {
				assertStanzaPasses(t, out)
			}
		})
	}
}

// assertStanzaPasses runs `monitor check` on the stanza with the right
// credentials in the environment.
func assertStanzaPasses(t *testing.T, stanza string) {
	t.Helper()
	for k, v := range initEnv {
		t.Setenv(k, v)
	}
	path := filepath.Join(t.TempDir(), "checks.toml")
	if err := os.WriteFile(path, []byte(stanza), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI("check", "-config", path); code != exitOK {
		t.Fatalf("check of the stanza: exit %d\n%s%s\n%s", code, out, errOut, stanza)
	}
}

// TestInitRefuses: what init cannot describe fails with a reason, within
// its bounds (redirects, timeout).
func TestInitRefuses(t *testing.T) {
	srv := initTarget(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not found", []string{srv.URL + "/nothing"}, exitFailed, "answered 404 Not Found without credentials: not an endpoint to check"},
		{"redirect to another protocol", []string{srv.URL + "/elsewhere"}, exitFailed, "answered 302 Found without credentials: not an endpoint to check"},
		{"redirect loop", []string{srv.URL + "/loop"}, exitFailed, "more than 5 redirects"},
		{"hangs", []string{"-timeout", "200ms", srv.URL + "/hang"}, exitFailed, "Client.Timeout exceeded"},
		{"not a discovery document", []string{srv.URL + "/basic/.well-known/openid-configuration"}, exitFailed, "not a discovery document"},
		{"credentials in the URL", []string{"http://u:p@127.0.0.1:9/"}, exitConfig, "the URL holds credentials"},
		{"not http", []string{"ftp://127.0.0.1/"}, exitConfig, "not an absolute http(s) URL"},
		{"no URL", nil, exitConfig, "usage: monitor init"},
		{"help", []string{"-h"}, exitOK, "usage: monitor init"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, out, errOut := runCLI(append([]string{"init"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || (code != exitOK && out != "") {
				t.Fatalf("exit %d, want %d and %q\n%s%s", code, tc.code, tc.want, out, errOut)
			}
			if time.Since(start) > 4*time.Second {
				t.Fatalf("took %v: unbounded", time.Since(start))
			}
		})
	}
}

// TestInitText: what a target sends cannot break out of a TOML string or
// comment, and names and prefixes are cleaned to what the config accepts.
func TestInitText(t *testing.T) {
	for in, want := range map[string]string{
		`a"b\c`:       `"a\"b\\c"`,
		"x${HOME}":    `"x$${HOME}"`,
		"line\nbreak": `"line\u000Abreak"`,
		"bad\xffutf8": `"bad` + "\uFFFD" + `utf8"`,
	} {
		if got := tomlString(in); got != want {
			t.Errorf("tomlString(%q) = %s, want %s", in, got, want)
		}
	}
	var b strings.Builder
	comment(&b, "", "evil\n[[check]]\nname = \"x\"")
	if strings.Count(b.String(), "\n") != 1 {
		t.Fatalf("comment broke its line: %q", b.String())
	}
	for raw, want := range map[string]string{
		"https://api.example.com/v1/orders/": "ORDERS",
		"https://idp.example.com/":           "IDP",
		"http://127.0.0.1:8081/":             "CHECK",
	} {
		u, _ := url.Parse(raw)
		if got := envPrefix(defaultEnv(u)); got != want {
			t.Errorf("env prefix of %s = %q, want %q", raw, got, want)
		}
	}
	for in, want := range map[string][2]string{
		"api.example.com /v1/orders?x#y": {"api.example.com v1 orders x y", "API_EXAMPLE_COM_V1_ORDERS_X_Y"},
		"127.0.0.1 me":                   {"127.0.0.1 me", "CHECK_127_0_0_1_ME"},
		"\u200b%%":                       {"new check", "NEW_CHECK"},
	} {
		n := cleanName(in)
		if n != want[0] || envPrefix(n) != want[1] {
			t.Errorf("%q: name %q, env %q; want %q", in, n, envPrefix(n), want)
		}
	}
}
