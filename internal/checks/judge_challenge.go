package checks

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// challengeAssertions appends to out its judgement of the WWW-Authenticate
// fields of a refusal. A
// 401 must carry a challenge (RFC 9110 §15.5.2), and so must a Bearer 403
// for insufficient scope (RFC 6750 §3); on other statuses a challenge is
// optional but, when sent, is still judged.
func challengeAssertions(out []Assertion, spec ProbeSpec, e expectation, p *ProbeResult) []Assertion {
	k := spec.Kind
	required := p.Status == 401 ||
		k == ProbeScope && p.Status == 403 && strings.EqualFold(spec.Scheme, "Bearer")
	if len(p.ChallengeRaw) == 0 {
		if required {
			return append(out, challengeAbsent(e.statusID, k, p))
		}
		return out
	}
	out = append(out, strictness(p, k))
	if !required {
		return appendBearerLimits(out, p.Challenges, k)
	}
	if len(p.Challenges) == 0 {
		// A field that is present but holds no challenge ("", ",") tells
		// a client no more than an absent one: RFC 9110 §11.6.1 asks for
		// at least one challenge.
		return append(out, challengeAbsent(e.statusID, k, p))
	}
	c := p.Challenges[0]
	if spec.Scheme != "" {
		found, ok := FindChallenge(p.Challenges, spec.Scheme)
		got := "WWW-Authenticate: " + FormatChallenges(p.Challenges)
		if len(p.ChallengeRaw) == 1 { // then p.Challenges are ParseChallenges of it alone
			got = keptText("WWW-Authenticate", p.ChallengeRaw[0], "", func(raw, _ string) string {
				cs, _ := ParseChallenges([]string{raw})
				return "WWW-Authenticate: " + FormatChallenges(cs)
			})
		}
		out = append(out, check(e.statusID+".scheme", ok, challengeWords(spec.Scheme), got, k))
		if !ok {
			return out
		}
		c = found
	}
	if spec.Realm != "" {
		realm, ok := c.Realm()
		out = append(out, check(e.statusID+".realm", ok && realm == spec.Realm,
			"realm "+strconv.Quote(spec.Realm), realmWords(realm, ok), k))
	}
	out = appendSchemeRules(out, spec, e, c)
	return appendBearerLimits(out, p.Challenges, k)
}

// challengeAbsent flags a refusal that must carry a challenge and does not,
// whatever the check allows: a client cannot tell how to authenticate.
// WWW-Authenticate fields that hold no challenge count as none.
func challengeAbsent(id string, k ProbeKind, p *ProbeResult) Assertion {
	got, reason := "no WWW-Authenticate", "without a WWW-Authenticate challenge"
	if len(p.ChallengeRaw) > 0 {
		got = fmt.Sprintf("WWW-Authenticate: %q, which holds no challenge", clipHeader(strings.Join(p.ChallengeRaw, ", ")))
		reason = "with a WWW-Authenticate that holds no challenge"
	}
	a := assertion(id + ".challenge")
	a.Expected, a.Got, a.Reason = "a WWW-Authenticate challenge", got, k.Phrase()+": got "+statusCode(p.Status)+" "+reason
	return a
}

// strictness flags challenges that only a lenient reading understands.
func strictness(p *ProbeResult, k ProbeKind) Assertion {
	got := "a well-formed challenge"
	if len(p.ChallengeProblems) > 0 {
		got = "malformed: " + strings.Join(p.ChallengeProblems, "; ")
	}
	return check("C2", len(p.ChallengeProblems) == 0,
		"WWW-Authenticate per the RFC 9110 grammar", got, k)

}

// appendSchemeRules appends to out what the scheme's own RFC asks of its
// challenge.
func appendSchemeRules(out []Assertion, spec ProbeSpec, e expectation, c Challenge) []Assertion {
	k := spec.Kind
	switch {
	case strings.EqualFold(c.Scheme, "Basic"):
		return append(out, basicRules(c, k)...)
	case strings.EqualFold(c.Scheme, "Digest"):
		return append(out, digestRules(c, k)...)
	case strings.EqualFold(c.Scheme, "Bearer"):
		out = append(out, bearerError(spec, e, c))
		if k == ProbeMissing {
			bare := c.Token68 == "" && len(c.Params) == 0
			got := "a bare Bearer challenge"
			if !bare {
				got = clipHeader(c.String())
			}
			out = append(out, check("C6.params", !bare,
				"a Bearer challenge with at least one auth-param (e.g. realm)", got, k))
		}
		return out
	}
	return out
}

// bearerError checks the error parameter RFC 6750 §3.1 asks for: none
// without credentials (C6), invalid_token for a bad token (C7),
// insufficient_scope for a token lacking the scope (C8). spec.Error pins
// another code, which then passes with a deviation.
func bearerError(spec ProbeSpec, e expectation, c Challenge) Assertion {
	code, has := c.Param("error")
	got := "no error parameter"
	if has {
		got = keptText("error=", code, "", func(code, _ string) string { return "error=" + strconv.Quote(clip(code)) })
	}
	rfcWant, rfcPass := e.errWords, errorOK(e.errors, code, has)
	if spec.Error == "" {
		return check(e.errorID, rfcPass, rfcWant, got, spec.Kind)
	}
	a := check(e.errorID, has && code == spec.Error,
		"error="+strconv.Quote(spec.Error), got, spec.Kind)

	if a.Pass && !rfcPass {
		a.Deviation = got + " is allowed by this check; RFC 6750 §3.1 expects " + rfcWant
	}
	return a
}

func errorOK(codes []string, code string, has bool) bool {
	if codes == nil {
		return !has
	}
	return has && slices.Contains(codes, code)
}

func errorWords(codes []string) string {
	if codes == nil {
		return "no error parameter"
	}
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = "error=" + strconv.Quote(c)
	}
	return strings.Join(parts, " or ")
}

// bearerErrors are the codes registered for Bearer (RFC 6750 §3.1) and,
// for DPoP challenges, the two RFC 9449 adds.
var (
	bearerErrors = []string{"invalid_request", "invalid_token", "insufficient_scope"}
	dpopErrors   = []string{"invalid_request", "invalid_token", "insufficient_scope", "use_dpop_nonce", "invalid_dpop_proof"}
	onceParams   = []string{"realm", "scope", "error", "error_description", "error_uri"}
)

// bearerLimits is C10: the attribute limits of RFC 6750 §3 (and RFC 9449
// §7.1) on every Bearer and DPoP challenge of the answer.
func bearerLimits(cs []Challenge, k ProbeKind) []Assertion { return appendBearerLimits(nil, cs, k) }

// appendBearerLimits appends bearerLimits(cs, k) to out.
func appendBearerLimits(out []Assertion, cs []Challenge, k ProbeKind) []Assertion {
	var problems []string
	seen, sawDPoP := false, false
	for _, c := range cs {
		dpop := strings.EqualFold(c.Scheme, "DPoP")
		if !dpop && !strings.EqualFold(c.Scheme, "Bearer") {
			continue
		}
		seen, sawDPoP = true, sawDPoP || dpop
		problems = appendLimitProblems(problems, c, dpop)
	}
	if !seen {
		return out
	}
	ref := "RFC 6750 §3"
	if sawDPoP {
		ref += refSep + "RFC 9449 §7.1" // DPoP's own error codes
	}
	got := "attributes within the limits"
	if len(problems) > 0 {
		got = strings.Join(problems, "; ")
	}
	return append(out, withRef(check("C10", len(problems) == 0,
		"realm, scope, error, error_description and error_uri at most once, error values from the registry without \" or \\", got, k), ref))
}

func appendLimitProblems(problems []string, c Challenge, dpop bool) []string {
	for _, name := range onceParams {
		n := 0
		for _, p := range c.Params {
			if asciiEqualFold(p.Name, name) {
				n++
			}
		}
		if n > 1 {
			problems = append(problems, fmt.Sprintf("%s %s appears %d times", c.Scheme, name, n))
		}
	}
	for _, p := range c.Params {
		switch lowerASCII(p.Name) {
		case "error", "error_description":
			if !errorChars(p.Value) {
				problems = append(problems, fmt.Sprintf("%s %s holds a character outside %%x20-21 / %%x23-5B / %%x5D-7E", c.Scheme, p.Name))
			}
		}
	}
	registry := bearerErrors
	if dpop {
		registry = dpopErrors
	}
	if code, ok := c.Param("error"); ok && !slices.Contains(registry, code) {
		problems = append(problems, fmt.Sprintf("%s error %q is not a registered code", c.Scheme, clip(code)))
	}
	return problems
}

// errorChars: error and error_description stay within %x20-21 / %x23-5B /
// %x5D-7E (RFC 6750 §3): printable ASCII without '"' and '\'.
func errorChars(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7E || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func realmWords(realm string, ok bool) string {
	if !ok {
		return "no realm"
	}
	return "realm " + strconv.Quote(realm)
}

// locationOK reports whether target, resolved against the probe's URL,
// starts with prefix resolved the same way: "/login" matches
// "https://app.example/login?next=%2Fme".
func locationOK(prefix, base, target string) bool {
	if prefix == "" {
		return false
	}
	b, err := url.Parse(base)
	if err != nil {
		return false
	}
	pre, err1 := b.Parse(prefix)
	tgt, err2 := b.Parse(target)
	return err1 == nil && err2 == nil && strings.HasPrefix(tgt.String(), pre.String())
}

// basicRules is C4: a Basic challenge has a realm (RFC 7617 §2), sent as a
// quoted-string (RFC 9110 §11.5: senders MUST), and a charset, if any, is
// "UTF-8" (RFC 7617 §2.1). The last two are warnings: clients read both
// forms, and a bad charset only affects non-ASCII passwords.
func basicRules(c Challenge, k ProbeKind) []Assertion {
	realm, ok := c.Realm()
	// RFC 9110 §11.5 is C4.quoted's; the realm a Basic challenge must name is RFC 7617's.
	out := []Assertion{withRef(check("C4", ok, "a realm parameter", realmWords(realm, ok), k), "RFC 7617 §2, §2.1")}
	for _, p := range c.Params {
		switch {
		case strings.EqualFold(p.Name, "realm"):
			got := "realm=" + p.Value + " (a token)"
			if p.Quoted {
				got = "a quoted realm"
			}
			out = append(out, check("C4.quoted", p.Quoted, "a quoted realm", got, k))
		case strings.EqualFold(p.Name, "charset"):
			out = append(out, check("C4.charset", strings.EqualFold(p.Value, "UTF-8"),
				`charset="UTF-8"`, fmt.Sprintf("charset=%q", p.Value), k))
		}
	}
	return out
}
