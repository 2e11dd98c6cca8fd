package checks

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"sync"
)

// Conn is a check's own connection settings ([check.tls] and proxy): a
// private CA, the name the target's certificate must carry, certificate
// verification turned off, a forward proxy. The zero value sends through
// the process's client as it is.
type Conn struct {
	// CAFile is the file as configured (shown on the dashboard); CAPEM is
	// what it held at load: certificates trusted besides the system's.
	CAFile string
	CAPEM  []byte
	// ServerName is sent as SNI and is the name the certificate is
	// verified against, instead of the URL's host.
	ServerName string
	// InsecureSkipVerify accepts any certificate. The run still verifies
	// it and records why it would fail (A4, waived; see judgeInsecure).
	InsecureSkipVerify bool
	// Proxy is an http://, https://, socks5:// or socks5h:// URL. Its
	// user:password, if any, is a secret of the check.
	Proxy string
}

// IsZero reports whether the check uses the process's client unchanged.
func (c Conn) IsZero() bool {
	return len(c.CAPEM) == 0 && c.ServerName == "" && !c.InsecureSkipVerify && c.Proxy == ""
}

// connKey identifies one distinct setting: every check with the same
// settings shares one transport, and with it its idle connections.
type connKey struct {
	ca         [sha256.Size]byte
	serverName string
	insecure   bool
	proxy      string
}

func (c Conn) key() connKey {
	return connKey{ca: sha256.Sum256(c.CAPEM), serverName: c.ServerName, insecure: c.InsecureSkipVerify, proxy: c.Proxy}
}

// clients holds one client per distinct Conn for the life of a Runner, so
// that runs reuse connections (and their handshakes) instead of building a
// transport each time. A setting dropped by a reload keeps its entry; its
// idle connections close after the transport's IdleConnTimeout.
type clients struct {
	mu    sync.Mutex
	byKey map[connKey]*http.Client
}

// clientFor returns the client a check's requests go through: base when
// the check has no settings of its own, else a copy of base whose
// transport applies them.
func (cs *clients) clientFor(base *http.Client, c Conn) *http.Client {
	if c.IsZero() {
		return base
	}
	k := c.key()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if hc, ok := cs.byKey[k]; ok {
		return hc
	}
	if cs.byKey == nil {
		cs.byKey = map[connKey]*http.Client{}
	}
	hc := withTransport(base, connTransport(base, c))
	cs.byKey[k] = hc
	return hc
}

// connTransport clones the process's transport (its limits, timeouts and
// TLS floor) and applies the check's settings.
func connTransport(base *http.Client, c Conn) *http.Transport {
	bt, ok := base.Transport.(*http.Transport)
	if !ok {
		bt = NewClient(1).Transport.(*http.Transport)
	}
	tr := bt.Clone()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if bt.TLSClientConfig != nil {
		cfg = bt.TLSClientConfig.Clone()
	}
	if len(c.CAPEM) > 0 {
		cfg.RootCAs = caPool(c.CAPEM)
	}
	cfg.ServerName = c.ServerName
	cfg.InsecureSkipVerify = c.InsecureSkipVerify
	tr.TLSClientConfig = cfg
	if c.Proxy != "" {
		if u, err := url.Parse(c.Proxy); err == nil { // config validated it
			tr.Proxy = http.ProxyURL(u)
		}
	}
	return tr
}

// caPool is the system's roots plus the check's CA: a private CA is added
// to what is trusted, so that a check's credential source on a public
// host keeps working.
func caPool(pem []byte) *x509.CertPool {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(pem)
	return pool
}
