package checks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// refCertValid is the part of A4's reference on a certificate's validity
// period, which the expiry warnings and an expired certificate cite.
const refCertValid = "RFC 5280 §4.1.2.5"

// DefaultTLSWarnDays are the days before a certificate's notAfter at which
// an https target is warned about when a check sets none.
var DefaultTLSWarnDays = []int{30, 14, 7}

// tlsExpiry is A4 for a certificate that verified: one assertion per
// threshold, "A4.30", "A4.14", "A4.7", so that crossing each one is a new
// failed assertion the alert engine reports, not the same one again.
func tlsExpiry(k ProbeKind, info *TLSInfo, warnDays []int, now time.Time) []Assertion {
	if len(warnDays) == 0 {
		warnDays = DefaultTLSWarnDays
	}
	thresholds := slices.Clone(warnDays)
	slices.Sort(thresholds)
	thresholds = slices.Compact(thresholds)
	slices.Reverse(thresholds)
	left := info.NotAfter.Sub(now)
	got := fmt.Sprintf("notAfter %s (%s left)", info.NotAfter.UTC().Format(time.DateOnly), days(left))
	out := make([]Assertion, 0, len(thresholds))
	for _, d := range thresholds {
		a := withRef(check("A4."+strconv.Itoa(d), left > time.Duration(d)*24*time.Hour,
			fmt.Sprintf("a certificate valid for more than %d days", d), got, k), refCertValid)

		if !a.Pass {
			a.Reason = fmt.Sprintf("%s: the TLS certificate of %s expires on %s, in %s: renew it",
				k.Phrase(), info.Subject, info.NotAfter.UTC().Format(time.DateOnly), days(left))
		}
		out = append(out, a)
	}
	return out
}

// certInvalid is A4 for a certificate that did not verify: the handshake
// failed. An expired certificate is a security weakening (users learn to
// click through warnings); any other verification failure means no client
// can connect.
func certInvalid(k ProbeKind, why string, expired bool) Assertion {
	// An expired certificate breaks its validity period (RFC 5280); any
	// other failure leaves credentials unprotected on the way (RFC 9110).
	a := withRef(assertion("A4"), "RFC 9110 §17.16.1")
	if expired {
		a = withRef(a, refCertValid)
		a.Severity = SevHighSec
	}
	a.Expected, a.Got = "a valid certificate (chain, hostname, validity period)", why
	a.Reason = fmt.Sprintf("%s: %s", k.Phrase(), why)
	if strings.Contains(why, "unknown authority") {
		a.Reason += " (signed by a private CA? name its certificate in [check.tls] ca_file)"
	}
	return a
}

// judgeTLS adds A4 to the first probe that got a TLS answer, or that
// failed on the certificate: once per run is enough.
func judgeTLS(ps []ProbeResult, errs []error, warnDays []int, now time.Time) {
	for i := range ps {
		p := &ps[i]
		if p.TLS != nil && p.Error == "" {
			p.Assertions = append(p.Assertions, tlsExpiry(p.Kind, p.TLS, warnDays, now)...)
			return
		}
		if i < len(errs) && errs[i] != nil {
			if bad, expired := certProblem(errs[i]); bad {
				p.Assertions = append(p.Assertions, certInvalid(p.Kind, p.Error, expired))
				return
			}
		}
	}
}
