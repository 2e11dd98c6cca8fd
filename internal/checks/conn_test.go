package checks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks/proxytest"
)

// testCA is a private CA made for one test: nobody else trusts it.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t testing.TB) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "authmon test private CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a leaf for dnsNames (no IP address: a URL on 127.0.0.1 only
// verifies with server_name), valid until notAfter.
func (ca testCA) issue(t testing.TB, cn string, dnsNames []string, notAfter time.Time, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, DNSNames: dnsNames,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// privateTarget is authServer's correct Bearer endpoint over https, with a
// certificate for auth.internal.test signed by ca.
func privateTarget(t testing.TB, ca testCA, cfg func(*tls.Config)) *httptest.Server {
	plain := authServer(nil)
	h := plain.Config.Handler
	plain.Close()
	return tlsServer(t, ca.issue(t, "auth.internal.test", []string{"auth.internal.test"}, time.Now().Add(90*24*time.Hour), x509.ExtKeyUsageServerAuth), h, cfg)
}

// TestCheckTLS: a target signed by a private CA fails without ca_file and
// passes with it; server_name names the certificate's host; a wrong one is
// caught; insecure_skip_verify passes and says why the certificate would
// fail, every run.
func TestCheckTLS(t *testing.T) {
	ca := newTestCA(t)
	srv := privateTarget(t, ca, nil)
	rn := NewRunner(NewClient(2), nil, nil)
	run := func(c Conn) Result {
		ch := bearerCheck(srv.URL)
		ch.Conn = c
		return rn.Run(context.Background(), ch)
	}
	a4 := func(r Result) Assertion {
		for _, p := range r.Probes {
			for _, a := range p.Assertions {
				if a.ID == "A4" {
					return a
				}
			}
		}
		t.Fatalf("no A4: %s", r.Summary())
		return Assertion{}
	}
	t.Run("unknown authority without ca_file", func(t *testing.T) {
		r := run(Conn{ServerName: "auth.internal.test"})
		if a := a4(r); r.Passed() || a.Pass || !strings.Contains(a.Reason, "unknown authority") || !strings.Contains(a.Reason, "ca_file") {
			t.Fatalf("passed %v, A4 %+v", r.Passed(), a)
		}
	})
	t.Run("ca_file and server_name", func(t *testing.T) {
		if r := run(Conn{CAPEM: ca.pem, ServerName: "auth.internal.test"}); !r.Passed() || r.Probes[0].TLS == nil {
			t.Fatalf("%s", r.Summary())
		}
	})
	t.Run("ca_file without server_name: 127.0.0.1 is not in the certificate", func(t *testing.T) {
		r := run(Conn{CAPEM: ca.pem})
		if a := a4(r); r.Passed() || !strings.Contains(a.Reason, "127.0.0.1") {
			t.Fatalf("A4 %+v", a)
		}
	})
	t.Run("server_name mismatch", func(t *testing.T) {
		r := run(Conn{CAPEM: ca.pem, ServerName: "other.internal.test"})
		if a := a4(r); r.Passed() || !strings.Contains(a.Reason, "other.internal.test") {
			t.Fatalf("A4 %+v", a)
		}
	})
	t.Run("insecure_skip_verify passes, flagged", func(t *testing.T) {
		for range 2 { // the second run reuses the connection: still flagged
			r := run(Conn{InsecureSkipVerify: true, ServerName: "auth.internal.test"})
			a := a4(r)
			if !r.Passed() || !a.Pass || !a.Insecure() || !strings.Contains(a.Deviation, "unknown authority") {
				t.Fatalf("passed %v, A4 %+v", r.Passed(), a)
			}
			if p := r.Probes[0]; p.TLS == nil || p.TLS.Unverified != "TLS: certificate signed by an unknown authority" || p.TLS.Subject == "" {
				t.Fatalf("TLS facts %+v", p.TLS)
			}
		}
	})
	t.Run("insecure_skip_verify on a certificate that verifies", func(t *testing.T) {
		r := run(Conn{InsecureSkipVerify: true, CAPEM: ca.pem, ServerName: "auth.internal.test"})
		if a := a4(r); !r.Passed() || !a.Insecure() || !strings.Contains(a.Reason, "remove it") {
			t.Fatalf("A4 %+v", a)
		}
	})
	if n := len(rn.conns.byKey); n != 6 {
		t.Fatalf("%d transports for 6 distinct settings", n)
	}
}

// TestConnClientCache: checks with the same settings share one client and
// its connections across runs; a check without settings uses the
// process's client.
func TestConnClientCache(t *testing.T) {
	ca := newTestCA(t)
	srv := privateTarget(t, ca, nil)
	rn := NewRunner(NewClient(2), nil, nil)
	c := Conn{CAPEM: append([]byte(nil), ca.pem...), ServerName: "auth.internal.test"}
	same := Conn{CAPEM: append([]byte(nil), ca.pem...), ServerName: "auth.internal.test"}
	if a, b := rn.conns.clientFor(rn.hc, c), rn.conns.clientFor(rn.hc, same); a != b || a.Transport == rn.hc.Transport {
		t.Fatal("two clients for one setting, or the process's transport changed")
	}
	if rn.conns.clientFor(rn.hc, Conn{}) != rn.hc {
		t.Fatal("a check without settings does not use the process's client")
	}
	ch := bearerCheck(srv.URL)
	ch.Conn = c
	rn.Run(context.Background(), ch)
	again := rn.Run(context.Background(), ch)
	if p := again.Probes[0]; !again.Passed() || !p.Timing.Reused {
		t.Fatalf("second run: reused %v: %s", p.Timing.Reused, again.Summary())
	}
}

// TestCheckTLSWithMTLS: a private CA and a client certificate it issued
// combine: the server verifies the client, the client the server.
func TestCheckTLSWithMTLS(t *testing.T) {
	ca := newTestCA(t)
	client := ca.issue(t, "authmon", nil, time.Now().Add(90*24*time.Hour), x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := tlsServer(t, ca.issue(t, "auth.internal.test", []string{"auth.internal.test"}, time.Now().Add(90*24*time.Hour), x509.ExtKeyUsageServerAuth),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello authmon")) }),
		func(c *tls.Config) { c.ClientAuth, c.ClientCAs = tls.RequireAndVerifyClientCert, pool })
	ch := Check{Name: "mtls", URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1024,
		Auth:   Credential{Kind: AuthMTLS, Cert: &client},
		Conn:   Conn{CAPEM: ca.pem, ServerName: "auth.internal.test"},
		Probes: []ProbeSpec{{Kind: ProbeValid, BodyContains: "authmon"}, {Kind: ProbeMissing}, {Kind: ProbeWrong}}}
	rn := NewRunner(NewClient(2), nil, nil)
	if r := rn.Run(context.Background(), ch); !r.Passed() {
		t.Fatalf("%s", r.Summary())
	}
	if again := rn.Run(context.Background(), ch); !again.Probes[0].Timing.Reused {
		t.Fatal("the certificate's connection was not reused")
	}
}

// TestCheckProxy: an https check goes through the proxy's CONNECT tunnel,
// with the private CA verified end to end; an http check is forwarded; a
// wrong proxy password is a failed probe that says so.
func TestCheckProxy(t *testing.T) {
	ca := newTestCA(t)
	srv := privateTarget(t, ca, nil)
	plain := authServer(nil)
	t.Cleanup(plain.Close)
	proxy := proxytest.New(t, "mon", "proxy-pw", false)
	rn := NewRunner(NewClient(2), nil, nil)
	withProxy := func(url, proxyURL string) Check {
		ch := bearerCheck(url)
		ch.Conn = Conn{CAPEM: ca.pem, ServerName: "auth.internal.test", Proxy: proxyURL}
		return ch
	}
	good := strings.Replace(proxy.URL, "http://", "http://mon:proxy-pw@", 1)
	if r := rn.Run(context.Background(), withProxy(srv.URL, good)); !r.Passed() || proxy.Connects.Load() == 0 {
		t.Fatalf("https through the proxy: %d CONNECTs: %s", proxy.Connects.Load(), r.Summary())
	}
	if r := rn.Run(context.Background(), withProxy(plain.URL, good)); !r.Passed() || proxy.Forwards.Load() != 3 {
		t.Fatalf("http through the proxy: %d forwarded: %s", proxy.Forwards.Load(), r.Summary())
	}
	down := withProxy(srv.URL, "http://127.0.0.1:9")
	if r := rn.Run(context.Background(), down); r.Probes[0].Error != "proxy: connection refused" {
		t.Fatalf("proxy down: %q", r.Probes[0].Error)
	}
	bad := strings.Replace(proxy.URL, "http://", "http://mon:wrong@", 1)
	r := rn.Run(context.Background(), withProxy(srv.URL, bad))
	if r.Passed() || !strings.Contains(r.Probes[0].Error, "Proxy Authentication Required") {
		t.Fatalf("wrong proxy password: %q: %s", r.Probes[0].Error, r.Summary())
	}
}
