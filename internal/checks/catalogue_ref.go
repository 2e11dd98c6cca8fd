package checks

import "strings"

// An entry's Ref lists every standard the id comes from, in any context:
// B2 is RFC 9110 for Basic, RFC 6750 for Bearer, RFC 6749 at a token
// endpoint and RFC 8725 for a forged JWT. A failed assertion cites only
// the part that applies where it was judged, so that an alert on a Basic
// check does not send its reader to the OAuth RFCs. The dashboard's
// explanation and the README keep showing the whole entry.

// refSep separates the parts of a catalogue reference.
const refSep = "; "

// withRef narrows a's reference to parts of its catalogue entry's Ref
// ("RFC 6749 §5.2" of B2's four). The parts are cited as given: that each
// is a part of the entry is checked by the tests that run every kind of
// check (TestAssertionsCiteTheirContext), not hidden here. No parts keep
// the whole reference.
func withRef(a Assertion, parts ...string) Assertion {
	if len(parts) > 0 {
		a.Ref = strings.Join(parts, refSep)
	}
	return a
}

// Parts of the references the judges narrow to, named once.
const (
	refHTTPAuth = "RFC 9110 §11.4" // B2: any credentials, Basic and API keys
	refBearer   = "RFC 6750 §3.1"  // B2: a Bearer token
	refTokenErr = "RFC 6749 §5.2"  // B2, C11.error: a token endpoint's error
	refJWTAlg   = "RFC 8725 §3.1"  // B2: a forged (alg none) JWT
)

// bypassRef is the part of B2 that applies to a refused probe: RFC 8725
// for a forged JWT however it is presented, RFC 9110 and RFC 6750 for a
// Bearer token, RFC 9110 alone for Basic, API keys, cookies and client
// certificates. B1 has one part and is left as it is.
func bypassRef(a Assertion, k ProbeKind, scheme string) Assertion {
	switch {
	case a.ID != "B2":
		return a
	case k == ProbeForged:
		return withRef(a, refJWTAlg)
	case strings.EqualFold(scheme, "Bearer"):
		return withRef(a, refHTTPAuth, refBearer)
	}
	return withRef(a, refHTTPAuth)
}
