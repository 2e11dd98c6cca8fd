package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const passwordCanary = "LOGIN-password-canary-4417"

// credentialsOf reads the posted user and password, JSON or form.
func credentialsOf(r *http.Request, userField, passField string) (string, string) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]string
		json.NewDecoder(r.Body).Decode(&m)
		return m[userField], m[passField]
	}
	r.ParseForm()
	return r.PostForm.Get(userField), r.PostForm.Get(passField)
}

// tokenLogin is a login API that issues a new token per login, in the JSON
// field data.token, and counts logins.
func tokenLogin(logins *atomic.Int32, expiresIn int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass := credentialsOf(r, "email", "secret")
		if user != "canary@example.com" || pass != passwordCanary {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":"invalid credentials for %s"}`, pass) // echoes the password
			return
		}
		n := logins.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, `{"data":{"token":"%s-%d","expires_in":%d}}`, issuedTokenCanary, n, expiresIn)
	}))
}

func TestLoginSourcePresentsTheToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass := credentialsOf(r, "username", "password")
		if user != "canary" || pass != passwordCanary {
			w.WriteHeader(401)
			return
		}
		if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" && r.PostForm.Get("client") != "monitor" {
			w.WriteHeader(400) // the extra field must be posted too
			return
		}
		w.Header().Set("X-Session-Token", issuedTokenCanary)
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: issuedTokenCanary, HttpOnly: true})
		fmt.Fprintf(w, `{"access_token":%q}`, issuedTokenCanary)
	}))
	defer srv.Close()
	cases := []struct {
		name string
		spec LoginSpec
		want Credential
	}{
		{"json field, bearer by default", LoginSpec{}, Credential{Kind: AuthBearer, Token: issuedTokenCanary}},
		{"form with extra fields", LoginSpec{Format: "form", Extra: map[string]string{"client": "monitor"}}, Credential{Kind: AuthBearer, Token: issuedTokenCanary}},
		{"header, presented in another header", LoginSpec{TokenHeader: "X-Session-Token", Use: "header:X-Session-Token"},
			Credential{Kind: AuthAPIKey, Header: "X-Session-Token", Key: issuedTokenCanary}},
		{"cookie, presented as a cookie", LoginSpec{TokenCookie: "sid"}, Credential{Kind: AuthCookie, Cookie: "sid", Value: issuedTokenCanary}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.spec.URL = srv.URL
			got, err := NewLoginSource(c.spec, "canary", passwordCanary).Get(context.Background(), srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != c.want.Kind || got.Token != c.want.Token || got.Header != c.want.Header ||
				got.Key != c.want.Key || got.Cookie != c.want.Cookie || got.Value != c.want.Value {
				t.Fatalf("credential %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestLoginSourceCachesUntilExpiryAndLogsInOnce(t *testing.T) {
	var logins atomic.Int32
	srv := tokenLogin(&logins, 120)
	defer srv.Close()
	spec := LoginSpec{URL: srv.URL, UsernameField: "email", PasswordField: "secret", TokenJSON: "data.token"}
	src := NewLoginSource(spec, "canary@example.com", passwordCanary).(*loginSource)
	clock := time.Now()
	var mu sync.Mutex
	src.cache.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := src.Get(ctx, srv.Client()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if logins.Load() != 1 {
		t.Fatalf("%d logins for concurrent Gets, want 1", logins.Load())
	}
	advance(100 * time.Second) // expires_in 120 minus a 12 s margin: still cached
	c, _ := src.Get(ctx, srv.Client())
	if logins.Load() != 1 || c.Token != issuedTokenCanary+"-1" {
		t.Fatalf("%d logins, token %q: want the cached first token", logins.Load(), c.Token)
	}
	advance(10 * time.Second) // inside the margin
	if c, _ = src.Get(ctx, srv.Client()); logins.Load() != 2 || c.Token != issuedTokenCanary+"-2" {
		t.Fatalf("%d logins after expiry, want 2", logins.Load())
	}
	src.Invalidate(c)
	if c, _ = src.Get(ctx, srv.Client()); logins.Load() != 3 || c.Token != issuedTokenCanary+"-3" {
		t.Fatalf("%d logins after Invalidate, want 3", logins.Load())
	}
}

func TestIssuedExpiryTakesTheEarliestSource(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	jwt := kindJWT("RS256", map[string]any{"exp": now.Add(10 * time.Minute).Unix()})
	cases := []struct {
		name string
		tok  issued
		ttl  time.Duration
		want time.Duration
	}{
		{"nothing said: the default TTL", issued{value: "opaque"}, 0, DefaultTokenTTL - 30*time.Second},
		{"nothing said: the configured TTL", issued{value: "opaque"}, time.Minute, time.Minute - 6*time.Second},
		{"expires_in", issued{value: "opaque", expiresIn: time.Hour, hasExpIn: true}, 0, time.Hour - 30*time.Second},
		{"JWT exp earlier than expires_in", issued{value: jwt, expiresIn: time.Hour, hasExpIn: true}, 0, 10*time.Minute - 30*time.Second},
		{"cookie expiry", issued{value: "opaque", cookieExp: now.Add(2 * time.Minute)}, 0, 2*time.Minute - 12*time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.tok.expiry(now, c.ttl).Sub(now); got != c.want {
				t.Fatalf("cached for %s, want %s", got, c.want)
			}
		})
	}
}

func TestLoginSourceErrorsArePlainAndSecretFree(t *testing.T) {
	var logins atomic.Int32
	srv := tokenLogin(&logins, 60)
	defer srv.Close()
	cases := []struct {
		name string
		spec LoginSpec
		pass string
		want string
	}{
		{"wrong password", LoginSpec{UsernameField: "email", PasswordField: "secret", TokenJSON: "data.token"}, passwordCanary + "x",
			"answered 401 Unauthorized, expected 2xx: check the credentials of this set"},
		{"no token where configured", LoginSpec{UsernameField: "email", PasswordField: "secret", TokenJSON: "data.jwt"}, passwordCanary,
			"succeeded but the answer has no token in JSON field data.jwt"},
		{"cookie use without a cookie", LoginSpec{UsernameField: "email", PasswordField: "secret", TokenJSON: "data.token", Use: "cookie"}, passwordCanary,
			`use = "cookie" needs token_cookie`},
		{"unknown format", LoginSpec{Format: "xml"}, passwordCanary, `unknown login format "xml"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.spec.URL = srv.URL
			_, err := NewLoginSource(c.spec, "canary@example.com", c.pass).Get(context.Background(), srv.Client())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to say %q", err, c.want)
			}
			if strings.Contains(err.Error(), passwordCanary) || strings.Contains(err.Error(), issuedTokenCanary) {
				t.Fatalf("the error text holds a secret: %v", err)
			}
		})
	}
}
