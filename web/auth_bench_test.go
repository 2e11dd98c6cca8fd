package web

import (
	"net/http"
	"net/http/httptest"
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
