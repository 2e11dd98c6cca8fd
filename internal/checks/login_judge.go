package checks

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// judgeLogin judges the answer to good canary credentials: the expected
// status and token (A1), what the answer does with them (B5, B6), and the
// issued token itself (B9, B10).
func judgeLogin(ch Check, spec LoginSpec, p *ProbeResult, x exchange, now time.Time) []Assertion {
	k := ProbeLogin
	ok := loginStatusOK(spec, p.Status)
	out := []Assertion{check("A1", ok, statusWords(spec.Status, "2xx"), gotStatus(p), k)}
	if !ok {
		return out
	}
	tok, found := loginToken(spec, x)
	if spec.TokenJSON != "" || spec.TokenHeader != "" || spec.TokenCookie != "" {
		got := "no token in the " + tok.where
		if found {
			got = "a token in the " + tok.where
		}
		out = append(out, check("A1.token", found, "a token in the "+tok.where, got, k))
	}
	cookies := sessionCookies(spec, x.header)
	if found || len(cookies) > 0 {
		out = append(out, noStore(k, x.header, found && spec.TokenCookie == ""))
	}
	https := strings.HasPrefix(strings.ToLower(p.URL), "https://")
	for _, c := range cookies {
		out = append(out, judgeCookie(k, c, https)...)
	}
	if found {
		out = append(out, JudgeJWT(k, tok.value, ch.JWT, now, true)...)
		if tok.hasExpIn {
			out = append(out, expiresInAgrees(k, tok.value, tok.expiresIn, ch.JWT.Leeway, now)...)
		}
	}
	return out
}

// noStore wants Cache-Control: no-store on an answer carrying a token
// (B5, RFC 6749 §5.1) or a session cookie (B6, OWASP): a cache must never
// hand a credential to someone else.
func noStore(k ProbeKind, h http.Header, token bool) Assertion {
	id := "B6.no-store"
	if token {
		id = "B5"
	}
	cc := strings.Join(h.Values("Cache-Control"), ", ")
	has := slices.ContainsFunc(strings.Split(cc, ","), func(d string) bool {
		d, _, _ = strings.Cut(d, "=")
		return strings.EqualFold(strings.TrimSpace(d), "no-store")
	})
	got := "Cache-Control: " + cc
	if cc == "" {
		got = "no Cache-Control"
	}
	return check(id, has, "Cache-Control: no-store", got, k)
}

// expiresInAgrees applies B10: expires_in says the same lifetime as the
// JWT it describes (exp - iat, or exp - now without iat).
func expiresInAgrees(k ProbeKind, tok string, expiresIn, leeway time.Duration, now time.Time) []Assertion {
	j, ok := DecodeJWT(tok)
	if !ok || j.ExpiresAt.IsZero() {
		return nil
	}
	if leeway <= 0 {
		leeway = DefaultJWTLeeway
	}
	start := now
	if !j.IssuedAt.IsZero() {
		start = j.IssuedAt
	}
	life := j.ExpiresAt.Sub(start)
	diff := time.Duration(math.Abs(float64(life - expiresIn)))
	return []Assertion{check("B10", diff <= leeway,
		fmt.Sprintf("expires_in matching the JWT lifetime (%s) within %s", life.Round(time.Second), leeway),
		fmt.Sprintf("expires_in %s", expiresIn.Round(time.Second)), k)}
}

// judgeLoginWrong judges the answer to the canary user with a wrong
// password: never a success (B2), the expected refusal, no internals or
// account existence in the body (B14).
func judgeLoginWrong(spec LoginSpec, p *ProbeResult, x exchange) []Assertion {
	k := ProbeLoginWrong
	tok, issuedTok := loginToken(spec, x)
	if spec.TokenJSON == "" && spec.TokenHeader == "" && spec.TokenCookie == "" && !looksIssued(x.body) {
		issuedTok = false // only a configured place, or a JSON access_token, counts as a token
	}
	allowed2xx := is2xx(p.Status) && slices.Contains(spec.WrongStatus, p.Status)
	accepted := (is2xx(p.Status) && !allowed2xx) || issuedTok
	want := statusWords(spec.WrongStatus, "401")
	// A login form is neither Bearer nor OAuth: RFC 9110's refusal applies.
	b2 := withRef(check("B2", !accepted, want+" and no token", gotStatus(p), k), refHTTPAuth)
	switch {
	case issuedTok:
		b2.Got = gotStatus(p) + " with a token in the " + tok.where
		b2.Reason = fmt.Sprintf("%s: expected %s, got %s: wrong password accepted", k.Phrase(), b2.Expected, b2.Got)
	case accepted:
		b2.Reason += ": wrong password accepted"
	}
	out := []Assertion{b2}
	if accepted {
		return out
	}
	if p.Status >= 500 {
		return append(out, serverError(k, p), leaks(k, x.body))
	}
	st := check("C5", statusIn(spec.WrongStatus, 401, p.Status), want, gotStatus(p), k)
	if st.Pass && p.Status != 401 {
		st.Deviation = fmt.Sprintf("%d is allowed by this check; RFC 9110 §11.4 expects 401 for wrong credentials", p.Status)
	}
	out = append(out, st)
	if p.Status == 401 {
		c5 := check("C5.challenge", len(p.Challenges) > 0, "a 401 with a WWW-Authenticate challenge", challengeGot(p), k)
		c5.Severity = SevWarn // login forms rarely send one, and browsers do not need it
		out = append(out, c5)
	}
	return append(out, leaks(k, x.body))
}

func challengeGot(p *ProbeResult) string {
	if len(p.Challenges) == 0 && len(p.ChallengeRaw) > 0 {
		return fmt.Sprintf("401 with a WWW-Authenticate that holds no challenge (%q)", clipHeader(strings.Join(p.ChallengeRaw, ", ")))
	}
	if len(p.Challenges) == 0 {
		return "401 without WWW-Authenticate"
	}
	return "WWW-Authenticate: " + FormatChallenges(p.Challenges)
}

// looksIssued reports a JSON body carrying a non-empty access_token or
// token member: what a login answers on success.
func looksIssued(body []byte) bool {
	doc, ok := jsonObject(body)
	if !ok {
		return false
	}
	for _, name := range []string{"access_token", "token", "id_token"} {
		if v, ok := jsonPath(doc, name); ok && v != "" {
			return true
		}
	}
	return false
}

// leakPatterns are what an error body must not say (B14): internals that
// help an attacker, and whether the account exists.
var leakPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a stack trace", regexp.MustCompile(`(?i)traceback \(most recent call last\)|exception in thread|\bat [a-z0-9_.$]+\([a-z0-9_]+\.(?:java|kt|scala):\d+\)|goroutine \d+ \[|\.(?:go|py|rb|php|js|ts|cs):\d+\b|stack ?trace|[a-z]+(?:\.[a-z]+)+exception\b`)},
	{"an SQL error", regexp.MustCompile(`(?i)sqlstate|syntax error at or near|you have an error in your sql syntax|\bora-\d{5}\b|sqlite3?\.|sqlexception|unclosed quotation mark|pg_query\(|psql:`)},
	{"whether the account exists", regexp.MustCompile(`(?i)\buser(?:name)? (?:was )?not found|\bunknown (?:user|account|username)\b|\bno such (?:user|account)\b|\b(?:user|account) does(?: not|n't) exist|\baccount (?:is )?(?:locked|disabled)\b|\bincorrect password\b|\bwrong password\b`)},
}

// leaks applies B14 to a refusal's body.
func leaks(k ProbeKind, body []byte) Assertion {
	text := string(body)
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	for _, l := range leakPatterns {
		if m := l.re.FindString(text); m != "" {
			return check("B14", false,
				"a generic error body", fmt.Sprintf("a body revealing %s: %q", l.what, clipHeader(redact.Tokens(m))), k)

		}
	}
	return check("B14", true,
		"a generic error body", "a generic error body", k)

}
