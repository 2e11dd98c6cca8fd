package checks

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults of JWTRules.
const (
	DefaultJWTLeeway     = 2 * time.Minute
	DefaultJWTWarnBefore = 7 * 24 * time.Hour
)

// JudgeJWT applies B9 to a token: alg present and not "none", exp present
// and in the future, lifetime within rules.MaxLifetime, nbf/iat not in the
// future beyond the leeway, and iss/aud as configured. issued says the
// token was just issued by the target (a login or token endpoint); a
// configured static token (issued false) is instead warned about
// rules.WarnBefore ahead of its expiry (B9.expiry), since nobody else will
// notice until the valid probe starts failing.
//
// A token that is not a JWT gives no assertion. The assertions never hold
// the token, only claims that are safe to show (alg, kid, iss, aud, exp, iat).
func JudgeJWT(k ProbeKind, tok string, rules JWTRules, now time.Time, issued bool) []Assertion {
	j, ok := DecodeJWT(tok)
	if !ok {
		return nil
	}
	leeway := cmpOr(rules.Leeway, DefaultJWTLeeway)
	out := []Assertion{jwtAlg(k, j)}
	if issued {
		out = append(out, jwtExp(k, j, now, leeway))
	} else if !j.ExpiresAt.IsZero() {
		out = append(out, jwtExpiry(k, j, now, cmpOr(rules.WarnBefore, DefaultJWTWarnBefore)))
	}
	if rules.MaxLifetime > 0 && !j.ExpiresAt.IsZero() && !j.IssuedAt.IsZero() {
		life := j.ExpiresAt.Sub(j.IssuedAt)
		out = append(out, check("B9.lifetime", life <= rules.MaxLifetime,
			"JWT lifetime (exp - iat) at most "+rules.MaxLifetime.String(), "a lifetime of "+life.String(), k))
	}
	for _, c := range []struct {
		id, name string
		at       time.Time
	}{{"B9.nbf", "nbf", j.NotBefore}, {"B9.iat", "iat", j.IssuedAt}} {
		if !c.at.IsZero() {
			out = append(out, check(c.id, !c.at.After(now.Add(leeway)),
				"JWT "+c.name+" not later than now + "+leeway.String(), c.name+" "+stamp(c.at), k))
		}
	}
	if rules.Issuer != "" {
		out = append(out, check("B9.iss", j.Issuer == rules.Issuer,
			fmt.Sprintf("JWT iss %q", rules.Issuer), fmt.Sprintf("iss %q", clip(j.Issuer)), k))
	}
	if rules.Audience != "" {
		out = append(out, check("B9.aud", slices.Contains(j.Audience, rules.Audience),
			fmt.Sprintf("JWT aud containing %q", rules.Audience), audWords(j.Audience), k))
	}
	return out
}

// jwtAlg: a token must name its algorithm, and "none" means anyone could
// have written it (RFC 8725 §3.1).
func jwtAlg(k ProbeKind, j JWT) Assertion {
	got := fmt.Sprintf("alg %q", clip(j.Alg))
	if !j.HasAlg {
		got = "no alg"
	}
	if j.Kid != "" {
		got += fmt.Sprintf(" (kid %q)", clip(j.Kid))
	}
	ok := j.HasAlg && j.Alg != "" && !strings.EqualFold(j.Alg, "none")
	return check("B9.alg", ok, `a signed JWT (alg present, not "none")`, got, k)
}

// jwtExp: an issued token must expire, and not already have (RFC 7519
// §4.1.4); a token without exp stays usable forever once leaked.
func jwtExp(k ProbeKind, j JWT, now time.Time, leeway time.Duration) Assertion {
	got := "no exp claim"
	if !j.ExpiresAt.IsZero() {
		got = "exp " + stamp(j.ExpiresAt)
	}
	ok := !j.ExpiresAt.IsZero() && j.ExpiresAt.After(now.Add(-leeway))
	return check("B9.exp", ok, "JWT exp present and in the future", got, k)
}

// jwtExpiry warns ahead of a configured token's expiry; once expired it is
// an availability problem, since the target will refuse it.
func jwtExpiry(k ProbeKind, j JWT, now time.Time, before time.Duration) Assertion {
	left := j.ExpiresAt.Sub(now)
	want := "configured token valid for more than " + days(before)
	a := check("B9.expiry", left > before, want, "exp "+stamp(j.ExpiresAt), k)
	switch {
	case left <= 0:
		a.Severity = SevAvail
		a.Reason = fmt.Sprintf("%s: the configured token expired on %s: replace it", k.Phrase(), stamp(j.ExpiresAt))
	case !a.Pass:
		a.Reason = fmt.Sprintf("%s: the configured token expires on %s (in %s): replace it", k.Phrase(), stamp(j.ExpiresAt), days(left))
	}
	return a
}

func audWords(aud []string) string {
	if len(aud) == 0 {
		return "no aud claim"
	}
	q := make([]string, len(aud))
	for i, a := range aud {
		q[i] = fmt.Sprintf("%q", clip(a))
	}
	return "aud " + strings.Join(q, ", ")
}

// stamp formats a claim time for people: "2026-11-01 12:00 UTC".
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// days says a duration in whole days when it is one or more: "7 days".
func days(d time.Duration) string {
	switch n := int(d / (24 * time.Hour)); {
	case n == 1:
		return "1 day"
	case n > 1:
		return fmt.Sprintf("%d days", n)
	}
	return d.Round(time.Minute).String()
}

// clip bounds a claim value copied into evidence.
func clip(s string) string { return clipTo(s, 120) }

// clipTo cuts s to at most limit bytes, on a rune boundary, marking the cut.
func clipTo(s string, limit int) string {
	if len(s) > limit {
		return strings.ToValidUTF8(s[:limit], "") + "…"
	}
	return s
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
