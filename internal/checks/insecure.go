package checks

import (
	"crypto/x509"
	"net/url"
	"strings"
	"time"
)

// insecureNote starts the Deviation of A4 on a check that turned
// certificate verification off: the run passes, and says so every time.
const insecureNote = "insecure_skip_verify = true: certificate verification is off for this check"

// judgeInsecure is A4 for a check with insecure_skip_verify: the handshake
// accepted any certificate, so the first TLS answer's chain is verified
// here as the handshake would have (the check's CA and server_name
// included) and the outcome recorded, never hidden. The assertion passes,
// with a Deviation saying why the certificate would fail, or that it
// verifies and the setting can go; TLSInfo.Unverified keeps the reason.
func judgeInsecure(ps []ProbeResult, c Conn, checkURL string) {
	if !c.InsecureSkipVerify {
		return
	}
	for i := range ps {
		p := &ps[i]
		if p.TLS == nil || len(p.TLS.peers) == 0 {
			continue
		}
		why := verifyChain(p.TLS.peers, c, cmpHost(c.ServerName, p.URL, checkURL), time.Now())
		a := withRef(assertion("A4"), "RFC 9110 §17.16.1")
		a.Pass, a.Expected = true, "a valid certificate (chain, hostname, validity period)"
		if why == "" {
			a.Got = "a certificate that verifies"
			a.Reason = p.Kind.Phrase() + ": the certificate verifies although insecure_skip_verify is on: remove it"
			a.Deviation = insecureNote + "; the certificate would pass"
		} else {
			a.Got = why
			a.Reason = p.Kind.Phrase() + ": accepted only because insecure_skip_verify is on: " + why
			a.Deviation = insecureNote + "; it would fail: " + why
		}
		p.TLS.Unverified = why
		p.Assertions = append(p.Assertions, a)
		return
	}
}

// verifyChain verifies a presented chain for name, with the system roots
// plus the check's CA: "" when it verifies, else why not, in the words
// a failed handshake would have given.
func verifyChain(peers []*x509.Certificate, c Conn, name string, now time.Time) string {
	opts := x509.VerifyOptions{DNSName: name, Intermediates: x509.NewCertPool(), CurrentTime: now}
	if len(c.CAPEM) > 0 {
		opts.Roots = caPool(c.CAPEM)
	}
	for _, ic := range peers[1:] {
		opts.Intermediates.AddCert(ic)
	}
	if _, err := peers[0].Verify(opts); err != nil {
		return describeError(err, 0, 0)
	}
	return ""
}

// cmpHost is the name a certificate is verified against: server_name, or
// the host of the probe's URL (the check's when it has none).
func cmpHost(serverName string, urls ...string) string {
	if serverName != "" {
		return serverName
	}
	for _, s := range urls {
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return ""
}

// Insecure reports whether the assertion is the A4 of a check with
// insecure_skip_verify: passed, because the check turned verification off.
func (a Assertion) Insecure() bool { return a.Pass && strings.HasPrefix(a.Deviation, insecureNote) }
