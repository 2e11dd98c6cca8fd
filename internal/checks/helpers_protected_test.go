package checks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testCert makes a self-signed certificate for 127.0.0.1 and localhost,
// valid from notBefore to notAfter, for a server or a client.
func testCert(t testing.TB, cn string, notBefore, notAfter time.Time, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// tlsServer starts an https test server presenting cert (its client trusts
// it) and configured further by cfg.
func tlsServer(t testing.TB, cert tls.Certificate, h http.Handler, cfg func(*tls.Config)) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if cfg != nil {
		cfg(srv.TLS)
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// fakeSource hands out tokens in order (the last one repeats), or fails.
// It counts what the run asked of it.
type fakeSource struct {
	mu            sync.Mutex
	creds         []Credential
	err           error
	gets, invalid int
}

func (s *fakeSource) Get(ctx context.Context, hc *http.Client) (Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	if s.err != nil {
		return Credential{}, s.err
	}
	if len(s.creds) == 0 {
		return Credential{}, errors.New("no credential")
	}
	c := s.creds[0]
	if len(s.creds) > 1 {
		s.creds = s.creds[1:]
	}
	return c, nil
}

func (s *fakeSource) Invalidate(Credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalid++
}

func (s *fakeSource) counts() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets, s.invalid
}

// probeOf returns the result of probe k, failing the test when absent.
func probeOf(t testing.TB, r Result, k ProbeKind) ProbeResult {
	t.Helper()
	for _, p := range r.Probes {
		if p.Kind == k {
			return p
		}
	}
	t.Fatalf("no %s probe in %+v", k, r.Probes)
	return ProbeResult{}
}

// assertionOf returns assertion id of a probe, failing when absent.
func assertionOf(t testing.TB, p ProbeResult, id string) Assertion {
	t.Helper()
	for _, a := range p.Assertions {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("%s probe has no %s assertion: %+v", p.Kind, id, p.Assertions)
	return Assertion{}
}
