package checks

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// judgeTokenIssued judges a client credentials answer: A1 (200 with an
// access_token), C15 (its shape), B5 (no-store), B9 and B10 (the token).
func judgeTokenIssued(ch Check, ps ProbeSpec, p *ProbeResult, x exchange, now time.Time) []Assertion {
	k := ProbeToken
	doc, isJSON := jsonObject(x.body)
	tok, hasTok := jsonPath(doc, "access_token")
	hasTok = hasTok && tok != ""
	statusOK := statusIn(ps.Status, 200, p.Status)
	got := gotStatus(p)
	if statusOK && !hasTok {
		got += " without an access_token"
	}
	code, _ := jsonPath(doc, "error")
	if !statusOK {
		got = statusAndCode(p.Status, code)
	}
	a1 := check("A1", statusOK && hasTok, statusWords(ps.Status, "200")+" with an access_token", got, k)
	if hint := clientHint(p.Status, code); !statusOK && hint != "" {
		a1.Reason += ": " + hint
	}
	out := []Assertion{a1}
	if !statusOK || !isJSON {
		return out
	}
	typ, hasTyp := jsonPath(doc, "token_type")
	typGot := fmt.Sprintf("token_type %q", clipHeader(typ))
	if !hasTyp {
		typGot = "no token_type"
	}
	c15 := withRef(check("C15", strings.EqualFold(typ, "Bearer") || strings.EqualFold(typ, "DPoP"),
		`token_type "Bearer" or "DPoP"`, typGot, k), "RFC 6749 §5.1")
	if strings.EqualFold(typ, "DPoP") {
		c15 = withRef(c15, "RFC 9449 §5") // a DPoP-bound token answers per RFC 9449
	}
	out = append(out, c15)
	exp, hasExp := jsonPath(doc, "expires_in")
	life, lifeOK := seconds(exp)
	expGot := fmt.Sprintf("expires_in %q", clipHeader(exp))
	if !hasExp {
		expGot = "no expires_in"
	}
	out = append(out, check("C15.expires_in", hasExp && lifeOK && life > 0,
		"expires_in, a positive number of seconds", expGot, k))
	if hasTok {
		out = append(out, noStore(k, x.header, true))
		out = append(out, JudgeJWT(k, tok, ch.JWT, now, true)...)
		if lifeOK {
			out = append(out, expiresInAgrees(k, tok, life, ch.JWT.Leeway, now)...)
		}
	}
	return out
}

// judgeWrongSecret: a wrong client secret is never accepted (B2) and is
// refused with invalid_client; sent with Basic, that is a 401 with a Basic
// challenge (C12, a MUST), sent in the body a 400 or 401 (C13).
func judgeWrongSecret(spec TokenSpec, p *ProbeResult, x exchange) []Assertion {
	k := ProbeTokenSecret
	id, def := "C12", []int{401}
	std := "RFC 6749 §5.2 expects 401 invalid_client with a WWW-Authenticate challenge when the client used Basic"
	if postAuth(spec) {
		id, def = "C13", []int{400, 401}
		std = "RFC 6749 §5.2 expects 400 or 401 invalid_client"
	}
	out, doc, done := refusal(k, x, p, "wrong client secret accepted")
	if done {
		return out
	}
	out = append(out, refusalStatus(id, k, p, spec.WrongSecretStatus, def, std))
	out = append(out, errorCode(id+".error", k, doc, "invalid_client"))
	if id == "C12" && p.Status == 401 {
		_, ok := FindChallenge(p.Challenges, "Basic")
		out = append(out, check("C12.challenge", ok, "a 401 with a Basic challenge", challengeGot(p), k))
	}
	return append(out, tokenErrorBody(k, x, doc), leaks(k, x.body))
}

// judgeWrongPassword: the password grant with a wrong password is refused
// with 400 invalid_grant (C11). The grant itself is deprecated: RFC 9700
// §2.4 says it MUST NOT be used.
func judgeWrongPassword(spec TokenSpec, p *ProbeResult, x exchange) []Assertion {
	k := ProbeTokenPassword
	out, doc, done := refusal(k, x, p, "wrong user password accepted")
	if done {
		return out
	}
	out = append(out, refusalStatus("C11", k, p, spec.WrongPasswordStatus, []int{400},
		"RFC 6749 §5.2 expects 400 invalid_grant (and RFC 9700 §2.4 deprecates the password grant)"))
	// The code is RFC 6749's; RFC 9700's word on the grant is C11's.
	out = append(out, withRef(errorCode("C11.error", k, doc, "invalid_grant"), refTokenErr))
	return append(out, tokenErrorBody(k, x, doc), leaks(k, x.body))
}

// refusal is B2 for a token request that must fail: no 2xx, no token.
// done says the answer was a success and nothing more is worth judging.
func refusal(k ProbeKind, x exchange, p *ProbeResult, what string) ([]Assertion, map[string]any, bool) {
	doc, _ := jsonObject(x.body)
	tok, _ := jsonPath(doc, "access_token")
	accepted := is2xx(p.Status) || tok != ""
	got := gotStatus(p)
	if tok != "" {
		got += " with an access_token"
	}
	a := withRef(check("B2", !accepted, "an error and no token", got, k), refTokenErr)
	if accepted {
		a.Reason += ": " + what
	}
	if p.Status >= 500 {
		// A server error is not a refusal to judge for its error code:
		// the endpoint is down, and saying that once is enough.
		return []Assertion{a, serverError(k, p)}, doc, true
	}
	return []Assertion{a}, doc, accepted
}

// refusalStatus checks the status against the check's override or the
// standard's default, saying so when only the override made it pass.
func refusalStatus(id string, k ProbeKind, p *ProbeResult, override, def []int, std string) Assertion {
	want := override
	if len(want) == 0 {
		want = def
	}
	a := check(id, slices.Contains(want, p.Status), statusWords(want, ""), gotStatus(p), k)
	if a.Pass && !slices.Contains(def, p.Status) {
		a.Deviation = fmt.Sprintf("%d is allowed by this check; %s", p.Status, std)
	}
	return a
}

// errorCode checks the error member of an RFC 6749 §5.2 error answer.
func errorCode(id string, k ProbeKind, doc map[string]any, want string) Assertion {
	code, ok := jsonPath(doc, "error")
	got := fmt.Sprintf("error %q", clipHeader(code))
	if !ok {
		got = "no error member"
	}
	return check(id, code == want, fmt.Sprintf("error %q", want), got, k)
}

// registeredErrors are the token endpoint error codes of RFC 6749 §5.2
// and the OAuth Extensions Error Registry entries a token endpoint uses.
var registeredErrors = []string{"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
	"unsupported_grant_type", "invalid_scope", "invalid_target", "invalid_dpop_proof", "use_dpop_nonce",
	"authorization_pending", "slow_down", "access_denied", "expired_token", "invalid_authorization_details"}

// tokenErrorBody is C14: the error answer is a JSON object whose error is
// a registered code, and whose error_description and error_uri keep to
// the characters RFC 6749 §5.2 allows.
func tokenErrorBody(k ProbeKind, x exchange, doc map[string]any) Assertion {
	want := "a JSON error with a registered error code and legal characters"
	if doc == nil {
		return check("C14", false, want, "a body that is not a JSON object", k)
	}
	code, _ := jsonPath(doc, "error")
	if !slices.Contains(registeredErrors, code) {
		return check("C14", false, want, fmt.Sprintf("unregistered error %q", clipHeader(code)), k)
	}
	for _, m := range []struct {
		name string
		uri  bool
	}{{"error_description", false}, {"error_uri", true}} {
		if v, ok := jsonPath(doc, m.name); ok && !legalErrorText(v, m.uri) {
			return check("C14", false, want, m.name+" with characters outside %x20-21 / %x23-5B / %x5D-7E", k)
		}
	}
	return check("C14", true, want, fmt.Sprintf("error %q", code), k)
}

// legalErrorText: %x20-21 / %x23-5B / %x5D-7E (no space in a URI), so
// neither a double quote nor a backslash, and only ASCII.
func legalErrorText(s string, uri bool) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || uri && r == ' ' {
			return false
		}
	}
	return true
}
