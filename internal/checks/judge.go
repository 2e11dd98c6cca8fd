package checks

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// unreachable is the verdict when no answer arrived at all.
func unreachable(k ProbeKind, why string) Assertion {
	return Assertion{ID: "A0", Ref: "availability", Severity: SevAvail, Expected: "an HTTP answer",
		Got: why, Reason: fmt.Sprintf("%s: no answer: %s", k.Phrase(), why)}
}

// judge checks one answer against the probe's expectations.
func judge(spec ProbeSpec, auth AuthKind, p *ProbeResult, body []byte) []Assertion {
	if spec.Kind == ProbeValid {
		return judgeValid(spec, p, body)
	}
	return judgeDenied(spec, auth, p)
}

func judgeValid(spec ProbeSpec, p *ProbeResult, body []byte) []Assertion {
	want := statusWords(spec.Status, "2xx")
	ok := is2xx(p.Status)
	if len(spec.Status) > 0 {
		ok = slices.Contains(spec.Status, p.Status)
	}
	out := []Assertion{check("A2", "expected answer", SevAvail, ok, want, gotStatus(p), spec.Kind)}
	if spec.BodyContains != "" {
		found := bytes.Contains(body, []byte(spec.BodyContains))
		a := check("A2.body", "expected body", SevAvail, found, fmt.Sprintf("body containing %q", spec.BodyContains),
			"a body without it", spec.Kind)
		out = append(out, a)
	}
	return out
}

// judgeDenied checks a request without or with wrong credentials: never 2xx
// (a bypass), the expected refusal, and a well-formed challenge on a 401.
func judgeDenied(spec ProbeSpec, auth AuthKind, p *ProbeResult) []Assertion {
	bypassID, statusID := "B1", "C1"
	if spec.Kind == ProbeWrong {
		bypassID, statusID = "B2", "C5"
	}
	want := statusWords(spec.Status, "401")
	refusal := want
	if spec.Scheme != "" && statusIn(spec.Status, 401, 401) {
		refusal += " with " + challengeWords(spec.Scheme)
	}
	out := []Assertion{bypass(bypassID, spec.Kind, p, refusal)}
	if is2xx(p.Status) {
		return out // the bypass says it all; a status assertion would repeat it
	}
	out = append(out, check(statusID, "RFC 9110 §11.4", SevConf, statusIn(spec.Status, 401, p.Status), want, gotStatus(p), spec.Kind))
	if p.Status == 401 {
		out = append(out, challengeAssertions(spec, auth, p, statusID)...)
	}
	return out
}

// bypass is the critical assertion: a request without valid credentials
// must not be answered 2xx.
func bypass(id string, k ProbeKind, p *ProbeResult, want string) Assertion {
	a := check(id, "RFC 9110 §11.4", SevCritical, !is2xx(p.Status), want, gotStatus(p), k)
	if a.Pass {
		a.Reason = fmt.Sprintf("%s: refused with %s", k.Phrase(), gotStatus(p))
	} else {
		a.Reason += ": auth bypass"
	}
	return a
}

// check builds an assertion with the standard reason sentence.
func check(id, ref string, sev Severity, pass bool, want, got string, k ProbeKind) Assertion {
	a := Assertion{ID: id, Ref: ref, Severity: sev, Pass: pass, Expected: want, Got: got,
		Reason: fmt.Sprintf("%s: expected %s, got %s", k.Phrase(), want, got)}
	if pass {
		a.Reason = fmt.Sprintf("%s: got %s as expected", k.Phrase(), got)
	}
	return a
}

func is2xx(code int) bool { return code >= 200 && code < 300 }

func statusIn(list []int, def, got int) bool {
	if len(list) == 0 {
		return got == def
	}
	return slices.Contains(list, got)
}

func statusWords(list []int, def string) string {
	if len(list) == 0 {
		return def
	}
	parts := make([]string, len(list))
	for i, c := range list {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, " or ")
}

func gotStatus(p *ProbeResult) string {
	return strings.TrimSpace(fmt.Sprintf("%d %s", p.Status, p.StatusText))
}

// challengeWords is "a Basic challenge", "an ApiKey challenge".
func challengeWords(scheme string) string {
	if scheme != "" && strings.ContainsRune("AEIOUaeiou", rune(scheme[0])) {
		return "an " + scheme + " challenge"
	}
	return "a " + scheme + " challenge"
}
