package checks

import (
	"context"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"
)

func okHandler(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(401)
		return
	}
	w.Write([]byte("ok"))
}

func basicCheck(url string) Check {
	return Check{Name: "tls", URL: url, Timeout: 2 * time.Second, MaxBody: 1024,
		Auth:    Credential{Kind: AuthBasic, Username: "u", Password: canary},
		Secrets: []string{canary},
		Probes:  []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing}}}
}

// TestTLSExpiryThresholds: each threshold is its own assertion, on the
// first probe only.
func TestTLSExpiryThresholds(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name     string
		left     time.Duration
		warnDays []int
		failed   string
		ids      string
	}{
		{"far from expiry", 90 * 24 * time.Hour, nil, "", "A4.30,A4.14,A4.7"},
		{"ten days left", 10 * 24 * time.Hour, nil, "A4.30,A4.14", "A4.30,A4.14,A4.7"},
		{"three days left", 3 * 24 * time.Hour, nil, "A4.30,A4.14,A4.7", "A4.30,A4.14,A4.7"},
		{"own thresholds", 20 * 24 * time.Hour, []int{7, 60, 21, 60}, "A4.60,A4.21", "A4.60,A4.21,A4.7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cert := testCert(t, "api.test", now.Add(-time.Hour), now.Add(c.left), x509.ExtKeyUsageServerAuth)
			srv := tlsServer(t, cert, http.HandlerFunc(okHandler), nil)
			ch := basicCheck(srv.URL)
			ch.TLSWarnDays = c.warnDays
			res := Run(context.Background(), srv.Client(), ch)
			var ids, failed []string
			for _, a := range res.Probes[0].Assertions {
				if strings.HasPrefix(a.ID, "A4") {
					ids = append(ids, a.ID)
					if !a.Pass {
						failed = append(failed, a.ID)
						if a.Severity != SevWarn || !strings.Contains(a.Reason, "the TLS certificate of CN=api.test expires on ") {
							t.Fatalf("assertion %+v", a)
						}
					}
				}
			}
			if strings.Join(ids, ",") != c.ids || strings.Join(failed, ",") != c.failed {
				t.Fatalf("ids %v failed %v, want %s / %s", ids, failed, c.ids, c.failed)
			}
			for _, a := range res.Probes[1].Assertions {
				if strings.HasPrefix(a.ID, "A4") {
					t.Fatalf("A4 repeated on the second probe")
				}
			}
		})
	}
}

// TestExpiredCertificate: the handshake fails, and the reason says so with
// the date.
func TestExpiredCertificate(t *testing.T) {
	now := time.Now()
	cert := testCert(t, "api.test", now.Add(-60*24*time.Hour), now.Add(-48*time.Hour), x509.ExtKeyUsageServerAuth)
	srv := tlsServer(t, cert, http.HandlerFunc(okHandler), nil)
	res := Run(context.Background(), srv.Client(), basicCheck(srv.URL))
	want := "TLS: certificate expired on " + cert.Leaf.NotAfter.UTC().Format(time.DateOnly)
	for _, p := range res.Probes {
		if p.Error != want {
			t.Fatalf("%s: error %q, want %q", p.Kind, p.Error, want)
		}
	}
	a := assertionOf(t, res.Probes[0], "A4")
	if a.Pass || a.Severity != SevHighSec || a.Got != want {
		t.Fatalf("A4 = %+v", a)
	}
	if a.Ref != "RFC 5280 §4.1.2.5" { // the validity period, of A4's two parts
		t.Fatalf("A4 cites %q for an expired certificate", a.Ref)
	}
}
