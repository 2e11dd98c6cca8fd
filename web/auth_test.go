package web

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/authmon/monitor/internal/checks"
)

// testToken is a bearer token the tests accept; canary is the password.
const testToken = "amt_CANARY-token-0123456789"

// testHash is a bcrypt hash of pw at the lowest cost, to keep tests fast.
func testHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// newAuthHandler serves the seeded store behind cfg, with a /metrics.
func newAuthHandler(t *testing.T, cfg AuthConfig) http.Handler {
	t.Helper()
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("authmon_up 1\n")) })
	return New(Deps{Store: seededStore(t), Checks: fixed(testChecks()), Demo: &fakeDemo{mode: "normal"},
		Now: func() time.Time { return t0 }, Auth: cfg, Metrics: metrics})
}

func tokenDigest(tok string) [32]byte { return sha256.Sum256([]byte(tok)) }

// do serves a GET with the given headers and remote address.
func do(t *testing.T, h http.Handler, path, remote string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if remote != "" {
		req.RemoteAddr = remote
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, secret := range []string{canary, testToken} {
		if strings.Contains(rec.Body.String(), secret) || strings.Contains(strings.Join(rec.Header().Values("WWW-Authenticate"), " "), secret) {
			t.Errorf("GET %s: the answer contains a secret", path)
		}
	}
	return rec
}

func basic(user, pass string) map[string]string {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, pass)
	return map[string]string{"Authorization": req.Header.Get("Authorization")}
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// TestAuthChallenges: each configuration answers each kind of credentials
// with the right status and exactly the right WWW-Authenticate fields.
func TestAuthChallenges(t *testing.T) {
	const basicCh = `Basic realm="authmon", charset="UTF-8"`
	const bearerCh = `Bearer realm="authmon"`
	const invalidCh = `Bearer realm="authmon", error="invalid_token"`
	users := map[string]string{"ops": testHash(t, canary)}
	tokens := [][32]byte{tokenDigest(testToken)}
	configs := map[string]AuthConfig{
		"users":  {Users: users},
		"tokens": {Tokens: tokens},
		"both":   {Users: users, Tokens: tokens},
	}
	tests := []struct {
		config string
		name   string
		hdr    map[string]string
		want   int
		challs []string
	}{
		{"users", "no credentials", nil, 401, []string{basicCh}},
		{"users", "right password", basic("ops", canary), 200, nil},
		{"users", "wrong password", basic("ops", "nope"), 401, []string{basicCh}},
		{"users", "unknown user", basic("root", canary), 401, []string{basicCh}},
		{"users", "malformed basic", map[string]string{"Authorization": "Basic !!!"}, 401, []string{basicCh}},
		{"users", "a bearer token", bearer(testToken), 401, []string{basicCh}},
		{"tokens", "no credentials", nil, 401, []string{bearerCh}},
		{"tokens", "right token", bearer(testToken), 200, nil},
		{"tokens", "lower-case scheme", map[string]string{"Authorization": "bearer " + testToken}, 200, nil},
		{"tokens", "wrong token", bearer("amt_wrong"), 401, []string{invalidCh}},
		{"tokens", "empty token", map[string]string{"Authorization": "Bearer"}, 401, []string{invalidCh}},
		{"tokens", "basic credentials", basic("ops", canary), 401, []string{bearerCh}},
		{"both", "no credentials", nil, 401, []string{basicCh, bearerCh}},
		{"both", "wrong token", bearer("amt_wrong"), 401, []string{basicCh, invalidCh}},
		{"both", "wrong password", basic("ops", "nope"), 401, []string{basicCh, bearerCh}},
		{"both", "right password", basic("ops", canary), 200, nil},
		{"both", "right token", bearer(testToken), 200, nil},
	}
	handlers := map[string]http.Handler{}
	for name, cfg := range configs {
		handlers[name] = newAuthHandler(t, cfg)
	}
	for _, tt := range tests {
		t.Run(tt.config+"/"+tt.name, func(t *testing.T) {
			rec := do(t, handlers[tt.config], "/api/v1/checks", "", tt.hdr)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if got := rec.Header().Values("WWW-Authenticate"); !slices.Equal(got, tt.challs) {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challs)
			}
			for _, c := range rec.Header().Values("WWW-Authenticate") {
				if _, problems := checks.ParseChallenges([]string{c}); len(problems) > 0 {
					t.Errorf("challenge %q does not parse strictly: %v", c, problems)
				}
			}
			if tt.want == 401 {
				var body apiError
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
					t.Errorf("401 body %q is not an API error", rec.Body.String())
				}
			}
		})
	}
}

// TestAuthEveryRoute: with auth on, every route but the probes and the
// stylesheet wants credentials; with the right ones, each answers as usual.
func TestAuthEveryRoute(t *testing.T) {
	h := newAuthHandler(t, AuthConfig{Users: map[string]string{"ops": testHash(t, canary)}})
	closed := []string{"/", "/checks/api-basic", "/config", "/incidents", "/incidents/1", "/api/v1/checks", "/api/v1/checks/api-basic",
		"/api/v1/checks/api-basic/runs", "/api/v1/incidents", "/api/v1/incidents/1", "/api/v1/nope",
		"/badges/api-basic/status.svg", "/badges/api-basic/uptime.svg", "/metrics", "/nope",
		"/static/../api/v1/checks", "/static//../metrics"}
	for _, p := range closed {
		if rec := do(t, h, p, "", nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials: status %d, want 401", p, rec.Code)
		}
		if rec := do(t, h, p, "", basic("ops", canary)); rec.Code == http.StatusUnauthorized {
			t.Errorf("GET %s with credentials: 401", p)
		}
	}
	// The live stream would stay open with credentials: only its refusal.
	if rec := do(t, h, "/events", "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("GET /events without credentials: status %d, want 401", rec.Code)
	}
	for _, p := range []string{"/healthz", "/readyz", "/static/style.css"} {
		if rec := do(t, h, p, "", nil); rec.Code != http.StatusOK {
			t.Errorf("GET %s without credentials: status %d, want 200", p, rec.Code)
		}
	}
}

// TestPublicBadges: public_badges opens the badges, and only them.
func TestPublicBadges(t *testing.T) {
	h := newAuthHandler(t, AuthConfig{Users: map[string]string{"ops": testHash(t, canary)}, PublicBadges: true})
	for _, p := range []string{"/badges/api-basic/status.svg", "/badges/api-basic/uptime.svg?window=7d"} {
		rec := do(t, h, p, "", nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("GET %s: status %d, Cache-Control %q", p, rec.Code, rec.Header().Get("Cache-Control"))
		}
	}
	if rec := do(t, h, "/api/v1/checks", "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("API with public badges: status %d, want 401", rec.Code)
	}
}

// TestProxyUserHeader: the header is believed from a trusted proxy only.
func TestProxyUserHeader(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("fd00::/8")}
	hdr := map[string]string{"X-Forwarded-User": "alice"}
	tests := []struct {
		name   string
		cfg    AuthConfig
		remote string
		hdr    map[string]string
		want   int
	}{
		{"trusted proxy", AuthConfig{ProxyHeader: "X-Forwarded-User", TrustedProxies: proxies}, "127.0.0.1:4321", hdr, 200},
		{"trusted IPv6 proxy", AuthConfig{ProxyHeader: "X-Forwarded-User", TrustedProxies: proxies}, "[fd00::1]:4321", hdr, 200},
		{"untrusted address", AuthConfig{ProxyHeader: "X-Forwarded-User", TrustedProxies: proxies}, "10.0.0.7:4321", hdr, 403},
		{"trusted proxy, no user", AuthConfig{ProxyHeader: "X-Forwarded-User", TrustedProxies: proxies}, "127.0.0.1:4321", nil, 403},
		{"untrusted, users too", AuthConfig{ProxyHeader: "X-Forwarded-User", TrustedProxies: proxies,
			Users: map[string]string{"ops": testHash(t, canary)}}, "10.0.0.7:4321", hdr, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, newAuthHandler(t, tt.cfg), "/api/v1/checks", tt.remote, tt.hdr)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.want, rec.Body.String())
			}
			if tt.want == 403 && rec.Header().Get("WWW-Authenticate") != "" {
				t.Error("a 403 with a challenge")
			}
		})
	}
}

// TestVerifyCache: a verified login is remembered for a minute, for the
// client that proved it only; a wrong password never is.
func TestVerifyCache(t *testing.T) {
	a := newAuthenticator(AuthConfig{Users: map[string]string{"ops": testHash(t, canary)}})
	now := t0
	a.setClock(func() time.Time { return now })
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	login := func(r *http.Request, pass string) bool { return a.checkBasic(r, "ops", pass).res == authOK }
	if login(req, "wrong") || len(a.cache.m) != 0 {
		t.Fatal("a wrong password was accepted or cached")
	}
	if !login(req, canary) || !a.cache.ok(cacheKey(clientKey(req), "ops", canary)) {
		t.Fatal("the right password was not accepted and cached")
	}
	a.cfg.Users["ops"] = testHash(t, "rotated") // only the cache can still say yes
	if !login(req, canary) {
		t.Error("cached login not used within a minute")
	}
	other := httptest.NewRequest(http.MethodGet, "/", nil)
	other.RemoteAddr = "198.51.100.1:4000"
	if login(other, canary) {
		t.Error("another client was let in by the first one's cached login")
	}
	now = now.Add(verifyTTL + time.Second)
	if login(req, canary) {
		t.Error("cached login used after it expired")
	}
}
