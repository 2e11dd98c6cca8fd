package checks

import "slices"

// MaxRequests is the most requests one run of ch may send, each bounded by
// the check's timeout: its probes, the login or token request a credential
// source makes (again when the valid probe's token is refused), the
// resource metadata a 401 may point at (C17), a login check's session
// page, and the enumeration probe's failed logins. A run against a target
// that hangs lasts about MaxRequests × Timeout.
func MaxRequests(ch Check) int {
	if ch.Kind != "" && ch.Kind != KindProtected {
		n := 0
		for _, k := range kindsOf(ch, ch.Kind) {
			n += requestsOf(ch, k)
		}
		return n
	}
	n := len(ch.Probes) // a protected check runs exactly its configured probes
	if ch.Auth.Source != nil {
		n++ // the credential, obtained before the probes
		if slices.ContainsFunc(ch.Probes, func(s ProbeSpec) bool { return s.Kind == ProbeValid }) {
			n += 2 // a refused token: obtained again and the valid probe resent
		}
	}
	if slices.ContainsFunc(ch.Probes, func(s ProbeSpec) bool { return s.Kind != ProbeValid }) {
		n++ // C17: the resource metadata a 401's challenge names
	}
	return n
}

// requestsOf counts the requests probe k of ch sends at most.
func requestsOf(ch Check, k ProbeKind) int {
	switch k {
	case ProbeLogin:
		if loginSpecOf(ch).SessionURL != "" {
			return 2
		}
	case ProbeEnumeration:
		if ch.Enumeration == nil {
			return 0
		}
		n := min(max(ch.Enumeration.Samples, 0), maxEnumSamples)
		if n == 0 {
			n = DefaultEnumSamples
		}
		return 2 * n
	case ProbeTokenPassword:
		if ch.Token == nil || ch.Token.Username == "" {
			return 0
		}
	case ProbeJWKS:
		if ch.Discovery != nil && !ch.Discovery.JWKS {
			return 0
		}
	}
	return 1
}
