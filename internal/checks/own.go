package checks

import (
	"crypto/x509"
	"fmt"
	"time"
)

// DefaultExpiryWarnDays is how long before the monitor's own client
// certificate or client secret expires that A7 warns, when the credential
// set says nothing (expiry_warn_days).
const DefaultExpiryWarnDays = 14

// judgeOwn is A7: the monitor's own credentials are not about to expire.
// A7.cert judges an mtls credential's certificate, A7.secret an oauth2
// client secret with a known expires_at. It warns within the credential's
// lead time and fails as availability once expired: every request then
// fails, and the alert should name the cause rather than the target.
// It goes on the run's valid probe (or its first).
func judgeOwn(ps []ProbeResult, cred Credential, now time.Time) {
	if len(ps) == 0 {
		return
	}
	var a Assertion
	switch {
	case cred.Kind == AuthMTLS && cred.Cert != nil:
		leaf := leafOf(cred)
		if leaf == nil {
			return
		}
		a = ownExpiry("A7.cert", "client certificate", leaf.NotAfter, cred.ExpiryWarn, now)
		a.Got += ", " + leaf.Subject.String()
	case cred.Kind == AuthOAuth2 && !cred.SecretExpires.IsZero():
		a = ownExpiry("A7.secret", "client secret", cred.SecretExpires, cred.ExpiryWarn, now)
	default:
		return
	}
	i := 0
	for j, p := range ps {
		if p.Kind == ProbeValid {
			i = j
			break
		}
	}
	ps[i].Assertions = append(ps[i].Assertions, a)
}

// ownExpiry judges one expiry date against the lead time (zero: the
// default), in words: "the monitor's client certificate expires in 5 days
// (2026-12-10)".
func ownExpiry(id, what string, at time.Time, lead time.Duration, now time.Time) Assertion {
	if lead <= 0 {
		lead = DefaultExpiryWarnDays * 24 * time.Hour
	}
	a := assertion(id)
	left, date := at.Sub(now), at.UTC().Format(time.DateOnly)
	a.Expected = fmt.Sprintf("valid for more than %s", days(lead))
	a.Got = fmt.Sprintf("expires %s", at.UTC().Format(time.RFC3339))
	switch {
	case left <= 0:
		a.Severity = SevAvail
		a.Reason = fmt.Sprintf("the monitor's %s expired on %s: renew it, the target refuses the monitor until then", what, date)
	case left <= lead:
		a.Reason = fmt.Sprintf("the monitor's %s expires in %s (%s): renew it before then", what, days(left), date)
	default:
		a.Pass = true
		a.Reason = fmt.Sprintf("the monitor's %s is valid until %s (%s left)", what, date, days(left))
	}
	return a
}

// leafOf is the credential's certificate, parsed.
func leafOf(cred Credential) *x509.Certificate {
	if cred.Cert.Leaf != nil {
		return cred.Cert.Leaf
	}
	if len(cred.Cert.Certificate) == 0 {
		return nil
	}
	leaf, err := x509.ParseCertificate(cred.Cert.Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}
