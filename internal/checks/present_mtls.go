package checks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/http"
	"sync"
	"time"
)

var (
	// errNoTransport: a client certificate can only be added to an
	// *http.Transport.
	errNoTransport = errors.New("cannot present a client certificate: the HTTP client's transport is not an *http.Transport")
	errNoCert      = errors.New("cannot present a client certificate: none is loaded")
)

// certTransports caches one transport per (base transport, certificate), so
// that every run of an mTLS check reuses its connections instead of paying
// a handshake. The key uses the leaf's hash, not the pointer, so that a
// config reload that loads the same certificate again finds its transport.
var certTransports sync.Map // certKey -> *http.Transport

type certKey struct {
	base *http.Transport
	leaf [sha256.Size]byte
}

// certClient returns a copy of hc whose transport presents cert.
func certClient(hc *http.Client, cert *tls.Certificate) (*http.Client, error) {
	base, ok := hc.Transport.(*http.Transport)
	if hc.Transport == nil {
		base, ok = http.DefaultTransport.(*http.Transport)
	}
	if cert == nil || len(cert.Certificate) == 0 {
		return nil, errNoCert
	}
	if !ok {
		return nil, errNoTransport
	}
	key := certKey{base: base, leaf: sha256.Sum256(cert.Certificate[0])}
	if tr, ok := certTransports.Load(key); ok {
		return withTransport(hc, tr.(*http.Transport)), nil
	}
	tr := base.Clone()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base.TLSClientConfig != nil {
		cfg = base.TLSClientConfig.Clone()
	}
	// Go only sends a configured certificate whose issuer the server lists
	// as acceptable; the stranger certificate of the wrong probe never is,
	// so the certificate is handed over unconditionally.
	cfg.Certificates = nil
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	// A session resumed later on a shared cache would carry this client's
	// identity into a connection that is meant to present none.
	cfg.ClientSessionCache = nil
	tr.TLSClientConfig = cfg
	actual, _ := certTransports.LoadOrStore(key, tr)
	return withTransport(hc, actual.(*http.Transport)), nil
}

func withTransport(hc *http.Client, tr http.RoundTripper) *http.Client {
	c := *hc
	c.Transport = tr
	return &c
}

// strangerCert is a self-signed client certificate, made once per process:
// well-formed, and trusted by nobody.
var strangerCert = sync.OnceValues(func() (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "authmon wrong client certificate"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
})
