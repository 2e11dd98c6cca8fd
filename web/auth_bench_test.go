package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// BenchmarkAuth measures what authentication adds to a request, around a
// handler that does nothing: a verified Basic login is served from the
// cache; only the first request of a user each minute pays bcrypt (the
// "uncached" case, at bcrypt's default cost 10, the one `monitor
// hash-password` uses, and at cost 12).
func BenchmarkAuth(b *testing.B) {
	hash10, err := bcrypt.GenerateFromPassword([]byte(canary), bcrypt.DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	hash12, err := bcrypt.GenerateFromPassword([]byte(canary), 12)
	if err != nil {
		b.Fatal(err)
	}
	noop := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	tokens := make([][32]byte, 10)
	for i := range tokens {
		tokens[i] = tokenDigest(testToken + string(rune('a'+i)))
	}
	tokens[9] = tokenDigest(testToken)
	cases := []struct {
		name    string
		cfg     AuthConfig
		hdr     map[string]string
		uncache bool
	}{
		{"off", AuthConfig{}, nil, false},
		{"basic-cached", AuthConfig{Users: map[string]string{"ops": string(hash10)}}, basic("ops", canary), false},
		{"basic-uncached-cost10", AuthConfig{Users: map[string]string{"ops": string(hash10)}}, basic("ops", canary), true},
		{"basic-uncached-cost12", AuthConfig{Users: map[string]string{"ops": string(hash12)}}, basic("ops", canary), true},
		{"bearer-10-tokens", AuthConfig{Tokens: tokens}, bearer(testToken), false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			a := newAuthenticator(c.cfg)
			h := a.middleware(noop)
			req := httptest.NewRequest(http.MethodGet, "/api/v1/checks", nil)
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			for b.Loop() {
				if c.uncache {
					clear(a.cache.m)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// BenchmarkLoginDuringFlood measures a real user's login while 16 clients
// in the same process send wrong passwords as fast as they are answered
// (so they also compete for the CPU with the server): one op is the user's
// first request of the minute (the login cache is emptied before it), which
// pays bcrypt at cost 10. The user has logged in from its address before.
// Floods: one address guessing the user's password, one address guessing
// another name, and a botnet (a new address and user name per request).
func BenchmarkLoginDuringFlood(b *testing.B) {
	hash, err := bcrypt.GenerateFromPassword([]byte(canary), bcrypt.DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	floods := []struct {
		name  string
		guess func(i int) (remote, user string)
	}{
		{"one-address-same-user", func(int) (string, string) { return "203.0.113.9:4000", "ops" }},
		{"one-address-other-user", func(int) (string, string) { return "203.0.113.9:4000", "root" }},
		{"botnet", func(i int) (string, string) {
			return fmt.Sprintf("10.%d.%d.%d:4000", i>>16&255, i>>8&255, i&255), fmt.Sprintf("user%d", i)
		}},
	}
	noop := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, f := range floods {
		b.Run(f.name, func(b *testing.B) {
			a := newAuthenticator(AuthConfig{Users: map[string]string{"ops": string(hash)}})
			h := a.middleware(noop)
			login := func() int {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/checks", nil)
				req.RemoteAddr = "198.51.100.7:5000"
				req.SetBasicAuth("ops", canary)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			if code := login(); code != http.StatusNoContent {
				b.Fatalf("login before the flood: status %d", code)
			}
			stop := flood(h, f.guess)
			for b.Loop() {
				a.cache.mu.Lock()
				clear(a.cache.m)
				a.cache.mu.Unlock()
				if code := login(); code != http.StatusNoContent {
					stop()
					b.Fatalf("the user's login during the flood: status %d", code)
				}
			}
			checked, refused := stop()
			b.ReportMetric(float64(checked)/b.Elapsed().Seconds(), "guesses-checked/s")
			b.ReportMetric(float64(refused)/b.Elapsed().Seconds(), "guesses-refused/s")
		})
	}
}

// flood starts 16 clients sending wrong passwords to h; stop ends them and
// says how many guesses were checked (401) and how many refused unchecked (429).
func flood(h http.Handler, guess func(i int) (remote, user string)) (stop func() (checked, refused int64)) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var n, n401, n429 atomic.Int64
	for range 16 {
		wg.Go(func() {
			for ctx.Err() == nil {
				remote, user := guess(int(n.Add(1)))
				req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/checks", nil)
				req.RemoteAddr = remote
				req.SetBasicAuth(user, "guess")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				switch rec.Code {
				case http.StatusUnauthorized:
					n401.Add(1)
				case http.StatusTooManyRequests:
					n429.Add(1)
				}
			}
		})
	}
	return func() (int64, int64) { cancel(); wg.Wait(); return n401.Load(), n429.Load() }
}
