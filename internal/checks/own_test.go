package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOwnCredentials: A7 warns ahead of the expiry of the monitor's own
// client certificate and client secret, fails once they have expired, and
// passes far ahead; the lead time is the credential's or 14 days.
func TestOwnCredentials(t *testing.T) {
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ca := newTestCA(t)
	cert := func(left time.Duration) *Credential {
		c := ca.issue(t, "authmon client", nil, now.Add(left), x509.ExtKeyUsageClientAuth)
		return &Credential{Kind: AuthMTLS, Cert: &c}
	}
	secret := func(left time.Duration) *Credential {
		return &Credential{Kind: AuthOAuth2, OAuth2: &OAuth2Spec{ClientSecret: "s"}, SecretExpires: now.Add(left)}
	}
	cases := []struct {
		name   string
		cred   *Credential
		lead   time.Duration
		id     string
		pass   bool
		sev    Severity
		reason string
	}{
		{"certificate in 5 days", cert(5*day + time.Hour), 0, "A7.cert", false, SevWarn, "the monitor's client certificate expires in 5 days (2026-12-10): renew it"},
		{"certificate expired", cert(-2 * day), 0, "A7.cert", false, SevAvail, "the monitor's client certificate expired on 2026-12-03"},
		{"certificate far ahead", cert(200 * day), 0, "A7.cert", true, SevWarn, "valid until 2027-06-23"},
		{"certificate in 20 days, lead 30", cert(20*day + time.Hour), 30 * day, "A7.cert", false, SevWarn, "expires in 20 days"},
		{"secret in 3 days", secret(3*day + time.Hour), 0, "A7.secret", false, SevWarn, "the monitor's client secret expires in 3 days (2026-12-08)"},
		{"secret expired", secret(-time.Hour), 0, "A7.secret", false, SevAvail, "the monitor's client secret expired on 2026-12-05"},
		{"secret in 15 days", secret(15*day + time.Hour), 0, "A7.secret", true, SevWarn, "valid until 2026-12-20"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cred.ExpiryWarn = c.lead
			ps := []ProbeResult{{Kind: ProbeMissing}, {Kind: ProbeValid}}
			judgeOwn(ps, *c.cred, now)
			if len(ps[0].Assertions) != 0 || len(ps[1].Assertions) != 1 {
				t.Fatalf("A7 not on the valid probe alone: %+v", ps)
			}
			a := ps[1].Assertions[0]
			if a.ID != c.id || a.Pass != c.pass || a.Severity != c.sev || !strings.Contains(a.Reason, c.reason) || a.Ref == "" || a.Got == "" {
				t.Fatalf("got %+v", a)
			}
		})
	}
	t.Run("no expiry known: no A7", func(t *testing.T) {
		ps := []ProbeResult{{Kind: ProbeValid}}
		judgeOwn(ps, Credential{Kind: AuthOAuth2, OAuth2: &OAuth2Spec{}}, now)
		judgeOwn(ps, Credential{Kind: AuthBearer, Token: "x"}, now)
		if len(ps[0].Assertions) != 0 {
			t.Fatalf("%+v", ps[0].Assertions)
		}
	})
}

// TestOwnCertificateInARun: a run presenting a certificate that expires in
// 5 days passes every probe but warns with A7.cert; ignore waives it.
func TestOwnCertificateInARun(t *testing.T) {
	ca := newTestCA(t)
	client := ca.issue(t, "authmon", nil, time.Now().Add(5*24*time.Hour+time.Hour), x509.ExtKeyUsageClientAuth)
	srv := tlsServer(t, ca.issue(t, "auth.internal.test", []string{"auth.internal.test"}, time.Now().Add(90*24*time.Hour), x509.ExtKeyUsageServerAuth),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if len(r.TLS.PeerCertificates) == 0 {
				w.WriteHeader(401)
				return
			}
			w.Write([]byte("hello"))
		}), func(c *tls.Config) { c.ClientAuth = tls.RequireAnyClientCert })
	ch := Check{Name: "mtls", URL: srv.URL, Timeout: 2 * time.Second, Auth: Credential{Kind: AuthMTLS, Cert: &client},
		Conn: Conn{CAPEM: ca.pem, ServerName: "auth.internal.test"}, Probes: []ProbeSpec{{Kind: ProbeValid}}}
	r := Run(context.Background(), NewClient(1), ch)
	if got := strings.Join(failedIDs(r), ","); got != "valid/A7.cert" || r.Severity() != SevWarn || !strings.Contains(r.Summary(), "expires in 5 days") {
		t.Fatalf("failed %q, %s: %s", got, r.Severity(), r.Summary())
	}
	ch.Ignore = []string{"A7"}
	if r := Run(context.Background(), NewClient(1), ch); !r.Passed() {
		t.Fatalf("ignored: %s", r.Summary())
	}
}
