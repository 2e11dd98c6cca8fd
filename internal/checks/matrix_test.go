package checks

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The full protected matrix against a Bearer server that follows RFC 6750
// to the letter, bent per case to simulate each regression.

const (
	expiredToken = "EXPIRED-" + canary
	scopeToken   = "LOWSCOPE-" + canary
)

// validJWT is the canary token as a JWT, so the forged probe applies.
func validJWT(t testing.TB) string {
	return makeJWT(t, map[string]any{"alg": "RS256", "kid": "k1"},
		map[string]any{"iss": "https://idp.test", "sub": "canary", "exp": time.Now().Add(90 * 24 * time.Hour).Unix()})
}

// rfcBearer answers like a correct RFC 6750 resource server.
func rfcBearer(valid string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		tok, isBearer := strings.CutPrefix(h, "Bearer ")
		switch {
		case h == "":
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			w.WriteHeader(401)
		case !isBearer || !isToken68(tok):
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_request"`)
			w.WriteHeader(400)
		case tok == valid:
			w.Write([]byte(`{"user":{"name":"canary","id":7}}`))
		case tok == scopeToken:
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="insufficient_scope", scope="orders:read"`)
			w.WriteHeader(403)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
			w.WriteHeader(401)
		}
	}
}

func isToken68(s string) bool {
	s = strings.TrimRight(s, "=")
	for i := 0; i < len(s); i++ {
		if !isToken68Char(s[i]) {
			return false
		}
	}
	return s != ""
}

func matrixCheck(url, token string) Check {
	return Check{Name: "matrix", Method: "GET", URL: url, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth: Credential{Kind: AuthBearer, Token: token}, Secrets: []string{token, expiredToken, scopeToken},
		Probes: []ProbeSpec{
			{Kind: ProbeValid, BodyContains: "canary", JSON: map[string]string{"user.name": "canary", "user.id": "7"}},
			{Kind: ProbeMissing, Scheme: "Bearer", Realm: "api"},
			{Kind: ProbeMalformed, Scheme: "Bearer"},
			{Kind: ProbeWrong, Scheme: "Bearer"},
			{Kind: ProbeExpired, Scheme: "Bearer", Token: expiredToken},
			{Kind: ProbeScope, Scheme: "Bearer", Token: scopeToken},
			{Kind: ProbeForged, Scheme: "Bearer"},
		}}
}

func TestProtectedMatrix(t *testing.T) {
	tok := validJWT(t)
	accept := func(match func(tok string) bool) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if match(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) && r.Header.Get("Authorization") != "" {
				w.Write([]byte(`{"user":{"name":"canary","id":7}}`))
				return true
			}
			return false
		}
	}
	deny := func(match func(h string) bool, status int, challenge string) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if !match(r.Header.Get("Authorization")) {
				return false
			}
			if challenge != "" {
				w.Header().Set("WWW-Authenticate", challenge)
			}
			w.WriteHeader(status)
			return true
		}
	}
	is := func(v string) func(string) bool { return func(h string) bool { return h == v } }
	// the wrong probe's token is base64url("authmon-invalid-" + random hex)
	isWrong := func(h string) bool { return strings.HasPrefix(h, "Bearer YXV0aG1vbi1pbnZhbGlkL") }
	cases := []struct {
		name   string
		behave func(w http.ResponseWriter, r *http.Request) bool
		want   string // failed probe/assertion ids
		sev    Severity
	}{
		{"correct server", nil, "", SevNone},
		{"malformed token accepted", accept(func(s string) bool { return strings.HasPrefix(s, "!") }), "malformed/B2", SevCritical},
		{"expired token accepted", accept(func(s string) bool { return s == expiredToken }), "expired/B2", SevCritical},
		{"under-scoped token accepted", accept(func(s string) bool { return s == scopeToken }), "scope/B2", SevCritical},
		{"alg none accepted", accept(func(s string) bool { j, ok := DecodeJWT(s); return ok && j.Alg == "none" }), "forged/B2", SevCritical},
		{"scope answered 401", deny(is("Bearer "+scopeToken), 401, `Bearer error="invalid_token"`), "scope/C8,scope/C8.error", SevConf},
		{"scope 403 without error", deny(is("Bearer "+scopeToken), 403, `Bearer realm="api"`), "scope/C8.error", SevConf},
		{"scope 403 without challenge", deny(is("Bearer "+scopeToken), 403, ""), "scope/C8.challenge", SevConf},
		{"expired without invalid_token", deny(is("Bearer "+expiredToken), 401, `Bearer realm="api"`), "expired/C7", SevConf},
		{"malformed 401 without a challenge", deny(func(h string) bool { return strings.HasPrefix(h, "Bearer !") }, 401, ""), "malformed/C5.challenge", SevConf},
		{"malformed answered 500", deny(func(h string) bool { return strings.HasPrefix(h, "Bearer !") }, 500, ""), "malformed/C5", SevConf},
		{"bare Bearer challenge", deny(is(""), 401, "Bearer"), "missing/C1.realm,missing/C6.params", SevConf},
		{"error description with a quote", deny(isWrong, 401, `Bearer realm="api", error="invalid_token", error_description="bad \"token\""`), "wrong/C10", SevWarn},
		{"unregistered error code", deny(is(""), 401, `Bearer realm="api", error="token_missing"`), "missing/C6,missing/C10", SevConf},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.behave != nil && c.behave(w, r) {
					return
				}
				rfcBearer(tok)(w, r)
			}))
			defer srv.Close()
			res := Run(context.Background(), srv.Client(), matrixCheck(srv.URL, tok))
			if len(res.Probes) != 7 {
				t.Fatalf("%d probes, want 7", len(res.Probes))
			}
			for i, k := range ProbeKinds {
				if res.Probes[i].Kind != k {
					t.Fatalf("probe %d is %s, want %s", i, res.Probes[i].Kind, k)
				}
			}
			if got := strings.Join(failedIDs(res), ","); got != c.want || res.Severity() != c.sev {
				t.Fatalf("failed = %q (%s), want %q (%s)\n%s", got, res.Severity(), c.want, c.sev, res.Summary())
			}
		})
	}
}

// TestForgedNeedsAJWT: an opaque token has no alg to forge, so the probe
// is left out rather than judged.
func TestForgedNeedsAJWT(t *testing.T) {
	srv := httptest.NewServer(rfcBearer(canary))
	defer srv.Close()
	res := Run(context.Background(), srv.Client(), matrixCheck(srv.URL, canary))
	for _, p := range res.Probes {
		if p.Kind == ProbeForged {
			t.Fatalf("forged probe ran for an opaque token: %+v", p)
		}
	}
	if len(res.Probes) != 6 || !res.Passed() {
		t.Fatalf("%d probes, passed %v: %s", len(res.Probes), res.Passed(), res.Summary())
	}
}

// TestBypassOnEveryProbe: a target that answers 200 to anything gets a
// critical finding on every probe that had no valid credentials.
func TestBypassOnEveryProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"user":{"name":"canary","id":7}}`))
	}))
	defer srv.Close()
	res := Run(context.Background(), srv.Client(), matrixCheck(srv.URL, validJWT(t)))
	want := "missing/B1,malformed/B2,wrong/B2,expired/B2,scope/B2,forged/B2"
	if got := strings.Join(failedIDs(res), ","); got != want {
		t.Fatalf("failed %q, want %q", got, want)
	}
	for _, f := range res.Failures() {
		if f.Assertion.Severity != SevCritical || !strings.HasSuffix(f.Assertion.Reason, ": auth bypass") {
			t.Fatalf("%s: %+v", f.Probe, f.Assertion)
		}
	}
}

// TestMatrixJudgesTheValidBody: body_contains and JSON dot paths.
func TestMatrixJudgesTheValidBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"user":{"name":"someone","id":8}}`))
	}))
	defer srv.Close()
	ch := matrixCheck(srv.URL, canary)
	ch.Probes = ch.Probes[:1]
	res := Run(context.Background(), srv.Client(), ch)
	a := assertionOf(t, res.Probes[0], "A2.json")
	if a.Pass || a.Got != `user.id = "8", user.name = "someone"` || a.Expected != `JSON user.id = "7", user.name = "canary"` {
		t.Fatalf("A2.json = %+v", a)
	}
	if assertionOf(t, res.Probes[0], "A2.body").Pass {
		t.Fatal("body_contains passed without the text")
	}
}

// TestBearerLimits is C10 on challenges a lenient parse still reads.
func TestBearerLimits(t *testing.T) {
	cases := []struct {
		name, field, got string
	}{
		{"within limits", `Bearer realm="a", error="invalid_token", error_description="expired"`, "attributes within the limits"},
		{"duplicate scope", `Bearer scope="a", scope="b"`, "Bearer scope appears 2 times"},
		{"backslash in description", `Bearer error="invalid_token", error_description="a\\b"`, "Bearer error_description holds a character outside"},
		{"unregistered", `Bearer error="expired"`, `Bearer error "expired" is not a registered code`},
		{"DPoP nonce code", `DPoP error="use_dpop_nonce", algs="ES256"`, "attributes within the limits"},
		{"DPoP code on Bearer", `Bearer error="use_dpop_nonce"`, "not a registered code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs, _ := ParseChallenges([]string{c.field})
			as := bearerLimits(cs, ProbeWrong)
			if len(as) != 1 || !strings.Contains(as[0].Got, c.got) || as[0].Severity != SevWarn || as[0].Pass != (c.got == "attributes within the limits") {
				t.Fatalf("C10 = %+v", as)
			}
		})
	}
	if as := bearerLimits([]Challenge{{Scheme: "Basic"}}, ProbeWrong); as != nil {
		t.Fatalf("C10 on Basic: %+v", as)
	}
}

// TestBodyContainsSaysWhatItGot: a passing A2.body says the body held the
// text; it said "a body without it" on a pass too.
func TestBodyContainsSaysWhatItGot(t *testing.T) {
	for _, tc := range []struct {
		body, got string
		pass      bool
	}{{"the protected profile", "a body containing it", true}, {"nothing here", "a body without it", false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, tc.body) }))
		ch := matrixCheck(srv.URL, "a-token-of-the-check")
		ch.Probes = []ProbeSpec{{Kind: ProbeValid, BodyContains: "protected"}}
		res := Run(context.Background(), srv.Client(), ch)
		srv.Close()
		a := assertionOf(t, res.Probes[0], "A2.body")
		if a.Pass != tc.pass || a.Got != tc.got || !strings.Contains(a.Reason, tc.got) {
			t.Errorf("body %q: A2.body = %+v", tc.body, a)
		}
	}
}
