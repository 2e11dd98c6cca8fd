package demo

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testIssuer = "http://example.com" // httptest.NewRequest's host

func TestSignerIsDeterministic(t *testing.T) {
	a, _ := New(creds, "")
	b, _ := New(creds, "")
	other := creds
	other.Password = "another"
	c, _ := New(other, "")
	if a.signer.kid != b.signer.kid || a.StaticTokens(testIssuer) != b.StaticTokens(testIssuer) {
		t.Fatal("the same credentials gave different keys or static tokens")
	}
	if a.signer.kid == c.signer.kid {
		t.Fatal("different credentials gave the same key")
	}
}

func TestVerify(t *testing.T) {
	api, _ := New(creds, "")
	now := time.Now()
	good := claims{Iss: testIssuer, Sub: "canary", Aud: audience, Scope: "orders:read", Iat: now.Unix(), Exp: now.Add(time.Minute).Unix()}
	tok := api.signer.sign(good)
	h, p, _ := strings.Cut(tok, ".")
	p, sig, _ := strings.Cut(p, ".")
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name, tok string
		want      error
	}{
		{"valid", tok, nil},
		{"alg none", seg(`{"alg":"none","typ":"JWT"}`) + "." + p + ".", errInvalidToken},
		{"alg HS256", seg(`{"alg":"HS256","typ":"JWT"}`) + "." + p + "." + sig, errInvalidToken},
		{"tampered claims", h + "." + seg(`{"iss":"`+testIssuer+`","sub":"admin","aud":"authmon-demo","exp":9999999999}`) + "." + sig, errInvalidToken},
		{"two segments", h + "." + p, errInvalidToken},
		{"garbage", "not-a-jwt", errInvalidToken},
		{"other issuer", api.signer.sign(claims{Iss: "http://evil", Aud: audience, Exp: good.Exp}), errInvalidToken},
		{"other audience", api.signer.sign(claims{Iss: testIssuer, Aud: "x", Exp: good.Exp}), errInvalidToken},
		{"no exp", api.signer.sign(claims{Iss: testIssuer, Aud: audience}), errInvalidToken},
		{"expired", api.StaticTokens(testIssuer).Expired, errExpiredToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := api.signer.verify(c.tok, testIssuer, now); !errors.Is(err, c.want) {
				t.Fatalf("verify: %v, want %v", err, c.want)
			}
		})
	}
}

// TestJWTOrders walks GET /jwt/orders through the RFC 6750 answers and
// every mode.
func TestJWTOrders(t *testing.T) {
	api, _ := New(creds, "")
	static := api.StaticTokens(testIssuer)
	valid := loginToken(t, api)
	forged := forgeNone(t, valid)
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	cases := []struct {
		name, mode string
		set        func(*http.Request)
		status     int
		challenge  string // a substring of WWW-Authenticate; "-": none; "=…": exactly
	}{
		{"valid", ModeOK, bearer(valid), 200, "-"},
		{"lower-case scheme", ModeOK, func(r *http.Request) { r.Header.Set("Authorization", "bearer "+valid) }, 200, "-"},
		{"missing", ModeOK, nil, 401, `=Bearer realm="demo"`},
		{"garbage", ModeOK, bearer("garbage"), 401, `Bearer realm="demo", error="invalid_token", error_description="The access token is invalid"`},
		{"alg none", ModeOK, bearer(forged), 401, `error="invalid_token"`},
		{"expired", ModeOK, bearer(static.Expired), 401, `error="invalid_token", error_description="The access token expired"`},
		{"lacking scope", ModeOK, bearer(static.Scope), 403, `error="insufficient_scope"`},
		{"Basic instead", ModeOK, func(r *http.Request) { r.SetBasicAuth("canary", "pw") }, 401, `=Bearer realm="demo"`},
		{"empty Bearer", ModeOK, func(r *http.Request) { r.Header.Set("Authorization", "Bearer") }, 401, `error="invalid_token"`},
		{"bypass missing", ModeBypass, nil, 200, "-"},
		{"wrong-accepted expired", ModeWrongAccepted, bearer(static.Expired), 200, "-"},
		{"wrong-accepted alg none", ModeWrongAccepted, bearer(forged), 200, "-"},
		{"wrong-accepted missing", ModeWrongAccepted, nil, 401, `=Bearer realm="demo"`},
		{"no-challenge missing", ModeNoChallenge, nil, 401, "-"},
		{"no-challenge scope", ModeNoChallenge, bearer(static.Scope), 403, "-"},
		{"down", ModeDown, bearer(valid), 503, "-"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_ = api.SetMode(c.mode)
			w := serveAPI(api, "GET", "/jwt/orders", "", c.set)
			got := w.Header().Get("WWW-Authenticate")
			exact, ok := strings.CutPrefix(c.challenge, "=")
			if ok && got != exact || w.Code != c.status || (c.challenge == "-") != (got == "") || !strings.Contains(got, strings.TrimPrefix(exact, "-")) {
				t.Fatalf("status %d challenge %q, want %d %q", w.Code, got, c.status, c.challenge)
			}
		})
	}
}

// forgeNone re-writes a token with alg "none" and no signature.
func forgeNone(t *testing.T, tok string) string {
	t.Helper()
	_, rest, ok := strings.Cut(tok, ".")
	payload, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		t.Fatalf("not a JWT: %q", tok)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + payload + "."
}
