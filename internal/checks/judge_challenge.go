package checks

import (
	"fmt"
	"strings"
)

// challengeAssertions judges the WWW-Authenticate fields of a 401.
func challengeAssertions(spec ProbeSpec, auth AuthKind, p *ProbeResult, id string) []Assertion {
	k := spec.Kind
	if len(p.Challenges) == 0 {
		return []Assertion{{ID: id + ".challenge", Ref: "RFC 9110 §15.5.2", Severity: SevConf, Expected: "a WWW-Authenticate challenge",
			Got:    "401 without WWW-Authenticate",
			Reason: k.Phrase() + ": got 401 without a WWW-Authenticate challenge"}}
	}
	out := []Assertion{strictness(p, k)}
	c := p.Challenges[0]
	if spec.Scheme != "" {
		found, ok := FindChallenge(p.Challenges, spec.Scheme)
		out = append(out, check(id+".scheme", "RFC 9110 §11.6.1", SevConf, ok, challengeWords(spec.Scheme),
			"WWW-Authenticate: "+FormatChallenges(p.Challenges), k))
		if !ok {
			return out
		}
		c = found
	}
	if spec.Realm != "" {
		realm, ok := c.Realm()
		out = append(out, check(id+".realm", "RFC 9110 §11.5", SevConf, ok && realm == spec.Realm,
			fmt.Sprintf("realm %q", spec.Realm), realmWords(realm, ok), k))
	}
	return append(out, schemeRules(c, k)...)
}

// strictness flags challenges that only a lenient reading understands.
func strictness(p *ProbeResult, k ProbeKind) Assertion {
	got := "a well-formed challenge"
	if len(p.ChallengeProblems) > 0 {
		got = "malformed: " + strings.Join(p.ChallengeProblems, "; ")
	}
	return check("C2", "RFC 9110 §11.2", SevConf, len(p.ChallengeProblems) == 0,
		"WWW-Authenticate per the RFC 9110 grammar", got, k)
}

// schemeRules applies what the scheme's own RFC asks of its challenge.
func schemeRules(c Challenge, k ProbeKind) []Assertion {
	switch {
	case strings.EqualFold(c.Scheme, "Basic"):
		realm, ok := c.Realm()
		return []Assertion{check("C4", "RFC 7617 §2", SevConf, ok, "a realm parameter", realmWords(realm, ok), k)}
	case strings.EqualFold(c.Scheme, "Bearer") && k == ProbeMissing:
		errCode, has := c.Param("error")
		return []Assertion{check("C6", "RFC 6750 §3.1", SevConf, !has, "no error parameter",
			fmt.Sprintf("error=%q", errCode), k)}
	case strings.EqualFold(c.Scheme, "Bearer") && k == ProbeWrong:
		errCode, has := c.Param("error")
		got := "no error parameter"
		if has {
			got = fmt.Sprintf("error=%q", errCode)
		}
		return []Assertion{check("C7", "RFC 6750 §3.1", SevConf, errCode == "invalid_token",
			`error="invalid_token"`, got, k)}
	}
	return nil
}

func realmWords(realm string, ok bool) string {
	if !ok {
		return "no realm"
	}
	return fmt.Sprintf("realm %q", realm)
}
