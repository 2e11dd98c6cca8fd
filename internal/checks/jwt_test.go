package checks

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// makeJWT builds a compact JWS with the given header and claims and a fake
// signature: the monitor never verifies one.
func makeJWT(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	enc := func(v map[string]any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte("sig-"+canary))
}

var jwtNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestDecodeJWT(t *testing.T) {
	tok := makeJWT(t, map[string]any{"alg": "RS256", "kid": "k1", "typ": "at+jwt"},
		map[string]any{"iss": "https://idp", "aud": []string{"api", "other"}, "exp": 1780315200.5, "iat": 1780311600, "sub": "u"})
	j, ok := DecodeJWT(tok)
	if !ok {
		t.Fatal("not decoded")
	}
	if j.Alg != "RS256" || !j.HasAlg || j.Kid != "k1" || j.Typ != "at+jwt" || j.Issuer != "https://idp" ||
		strings.Join(j.Audience, ",") != "api,other" {
		t.Fatalf("decoded %+v", j)
	}
	if j.ExpiresAt.Unix() != 1780315200 || j.ExpiresAt.Nanosecond() != 5e8 || j.IssuedAt.Unix() != 1780311600 || !j.NotBefore.IsZero() {
		t.Fatalf("times %v %v %v", j.ExpiresAt, j.IssuedAt, j.NotBefore)
	}
	single, _ := DecodeJWT(makeJWT(t, map[string]any{"alg": "HS256"}, map[string]any{"aud": "api"}))
	if strings.Join(single.Audience, ",") != "api" {
		t.Fatalf("aud string: %v", single.Audience)
	}
	for name, bad := range map[string]string{
		"opaque":         "abc123",
		"two parts":      "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ",
		"jwe five parts": "a.b.c.d.e",
		"not base64":     "!!!.eyJhIjoxfQ.",
		"not an object":  base64.RawURLEncoding.EncodeToString([]byte(`[1]`)) + ".eyJhIjoxfQ.",
		"empty header":   ".eyJhIjoxfQ.",
	} {
		if _, ok := DecodeJWT(bad); ok {
			t.Errorf("%s: decoded %q", name, bad)
		}
	}
}

func TestForgeNone(t *testing.T) {
	claims := map[string]any{"iss": "https://idp", "sub": "canary", "exp": 1780315200}
	tok := makeJWT(t, map[string]any{"alg": "RS256", "kid": "k1"}, claims)
	forged, ok := ForgeNone(tok)
	if !ok {
		t.Fatal("not forged")
	}
	if !strings.HasSuffix(forged, ".") || strings.Count(forged, ".") != 2 {
		t.Fatalf("forged %q: want an empty signature", forged)
	}
	if strings.Split(forged, ".")[1] != strings.Split(tok, ".")[1] {
		t.Fatal("claims changed")
	}
	j, ok := DecodeJWT(forged)
	if !ok || j.Alg != "none" || j.Kid != "k1" || j.Issuer != "https://idp" {
		t.Fatalf("forged decodes to %+v %v", j, ok)
	}
	if _, ok := ForgeNone("opaque-token"); ok {
		t.Fatal("forged an opaque token")
	}
}

func TestJudgeJWT(t *testing.T) {
	hour := int64(3600)
	now := jwtNow.Unix()
	rules := JWTRules{Issuer: "https://idp", Audience: "api", MaxLifetime: 2 * time.Hour}
	cases := []struct {
		name   string
		header map[string]any
		claims map[string]any
		issued bool
		rules  JWTRules
		fail   string // failed ids, comma-separated
		sev    Severity
	}{
		{"good issued token", map[string]any{"alg": "RS256"}, map[string]any{"iss": "https://idp", "aud": "api", "iat": now, "exp": now + hour}, true, rules, "", SevNone},
		{"alg none", map[string]any{"alg": "none"}, map[string]any{"exp": now + hour}, true, JWTRules{}, "B9.alg", SevHighSec},
		{"alg missing", map[string]any{"typ": "JWT"}, map[string]any{"exp": now + hour}, true, JWTRules{}, "B9.alg", SevHighSec},
		{"no exp", map[string]any{"alg": "HS256"}, map[string]any{"iat": now}, true, JWTRules{}, "B9.exp", SevHighSec},
		{"expired at issuance", map[string]any{"alg": "HS256"}, map[string]any{"exp": now - hour}, true, JWTRules{}, "B9.exp", SevHighSec},
		{"exp within leeway", map[string]any{"alg": "HS256"}, map[string]any{"exp": now - 60}, true, JWTRules{}, "", SevNone},
		{"lifetime too long", map[string]any{"alg": "HS256"}, map[string]any{"iat": now, "exp": now + 24*hour}, true, JWTRules{MaxLifetime: time.Hour}, "B9.lifetime", SevWarn},
		{"iat in the future", map[string]any{"alg": "HS256"}, map[string]any{"iat": now + 600, "exp": now + hour}, true, JWTRules{}, "B9.iat", SevWarn},
		{"nbf in the future", map[string]any{"alg": "HS256"}, map[string]any{"nbf": now + 600, "exp": now + hour}, true, JWTRules{}, "B9.nbf", SevWarn},
		{"nbf within a wider leeway", map[string]any{"alg": "HS256"}, map[string]any{"nbf": now + 600, "exp": now + hour}, true, JWTRules{Leeway: 15 * time.Minute}, "", SevNone},
		{"wrong issuer and audience", map[string]any{"alg": "RS256"}, map[string]any{"iss": "https://evil", "aud": []string{"x"}, "exp": now + hour}, true, rules, "B9.iss,B9.aud", SevHighSec},
		{"static token far from expiry", map[string]any{"alg": "RS256"}, map[string]any{"exp": now + 30*24*hour}, false, JWTRules{}, "", SevNone},
		{"static token expiring soon", map[string]any{"alg": "RS256"}, map[string]any{"exp": now + 3*24*hour}, false, JWTRules{}, "B9.expiry", SevWarn},
		{"static token expired", map[string]any{"alg": "RS256"}, map[string]any{"exp": now - hour}, false, JWTRules{}, "B9.expiry", SevAvail},
		{"static token without exp", map[string]any{"alg": "RS256"}, map[string]any{"sub": "x"}, false, JWTRules{}, "", SevNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := makeJWT(t, c.header, c.claims)
			as := JudgeJWT(ProbeToken, tok, c.rules, jwtNow, c.issued)
			var failed []string
			worst := SevNone
			for _, a := range as {
				if !a.Pass {
					failed = append(failed, a.ID)
					worst = max(worst, a.Severity)
				}
				for _, s := range []string{a.Expected, a.Got, a.Reason} {
					if strings.Contains(s, tok) || strings.Contains(s, strings.Split(tok, ".")[2]) {
						t.Fatalf("token recorded in %+v", a)
					}
				}
			}
			if got := strings.Join(failed, ","); got != c.fail || worst != c.sev {
				t.Fatalf("failed %q (%s), want %q (%s): %+v", got, worst, c.fail, c.sev, as)
			}
		})
	}
	if as := JudgeJWT(ProbeValid, "opaque", JWTRules{}, jwtNow, false); as != nil {
		t.Fatalf("opaque token judged: %+v", as)
	}
}

func TestJudgeJWTExpiryReason(t *testing.T) {
	tok := makeJWT(t, map[string]any{"alg": "RS256"}, map[string]any{"exp": jwtNow.Add(3 * 24 * time.Hour).Unix()})
	as := JudgeJWT(ProbeValid, tok, JWTRules{}, jwtNow, false)
	want := "with valid credentials: the configured token expires on 2026-06-04 12:00 UTC (in 3 days): replace it"
	if len(as) != 2 || as[1].Reason != want {
		t.Fatalf("got %+v\nwant reason %q", as, want)
	}
}
