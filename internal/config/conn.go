package config

import (
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// tlsSection is [check.tls]: the check's own TLS settings.
type tlsSection struct {
	CAFile             string `toml:"ca_file"`
	ServerName         string `toml:"server_name"`
	InsecureSkipVerify bool   `toml:"insecure_skip_verify"`
}

// proxySchemes are the proxy URL schemes net/http's Transport speaks.
var proxySchemes = []string{"http", "https", "socks5", "socks5h"}

// buildConn validates [check.tls] and proxy into the check's connection
// settings, and returns the secrets the proxy URL holds.
func buildConn(c *collector, key string, s *checkSection, dir string) (checks.Conn, []string) {
	var conn checks.Conn
	if t := s.TLS; t != nil {
		conn.ServerName, conn.InsecureSkipVerify = t.ServerName, t.InsecureSkipVerify
		if t.CAFile != "" {
			conn.CAFile, conn.CAPEM = t.CAFile, loadCA(c, key+".tls.ca_file", relativeTo(dir, t.CAFile))
		}
		if t.ServerName != "" && !validHostName(t.ServerName) {
			c.add(key+".tls.server_name", "%q is not a host name (write the name the certificate carries, e.g. \"api.internal.example\", without scheme or port)", clipID(t.ServerName))
		}
		if t.InsecureSkipVerify && t.CAFile != "" {
			c.add(key+".tls.insecure_skip_verify", "set ca_file or insecure_skip_verify, not both: with ca_file the certificate can be verified")
		}
	}
	if s.Proxy == "" {
		return conn, nil
	}
	conn.Proxy = s.Proxy
	return conn, checkProxy(c, key+".proxy", s.Proxy)
}

// loadCA reads a PEM file of CA certificates; a problem says how to fix it.
func loadCA(c *collector, key, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		c.add(key, "cannot read the CA file: %v (give a PEM file of the CA that signed the target's certificate; relative paths start at the config file's directory)", err)
		return nil
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		c.add(key, "%s holds no PEM certificate (want \"-----BEGIN CERTIFICATE-----\" blocks: convert DER with `openssl x509 -inform der -in ca.der -out ca.pem`)", path)
		return nil
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil || !x509.NewCertPool().AppendCertsFromPEM(data) {
		c.add(key, "%s: the certificate does not parse: give the CA's certificate in PEM", path)
		return nil
	}
	return data
}

// checkProxy validates a proxy URL and returns its secrets: the password
// as written and decoded, and the user:password pair that travels Base64
// encoded in Proxy-Authorization. Problems never quote the URL, which
// may hold a password.
func checkProxy(c *collector, key, raw string) []string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		c.add(key, "not a URL: write it as http://host:port (optionally http://user:${PROXY_PASSWORD}@host:port)")
		return []string{raw}
	case !slices.Contains(proxySchemes, u.Scheme):
		c.add(key, "a proxy URL starts with http://, https://, socks5:// or socks5h://")
	case u.Host == "" || u.Hostname() == "":
		c.add(key, "the proxy URL has no host: write it as http://host:port")
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
		c.add(key, "a proxy URL is scheme://host:port, without path, query or fragment")
	}
	if u.User == nil {
		return nil
	}
	pass, ok := u.User.Password()
	if !ok {
		return nil
	}
	out := []string{raw, pass, u.User.String()}
	return append(out, checks.PairSecrets(u.User.Username(), pass)...)
}

// validHostName is a DNS name or an IPv4 address: letters, digits, '-'
// and '.', no scheme, port or path.
func validHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// serverNameFits refuses a server_name on a check whose credential set
// logs in or gets its token on another host: the check's TLS settings
// apply to that request too, and that host's certificate would have to
// carry the name.
func serverNameFits(c *collector, key string, ch checks.Check) {
	if ch.Conn.ServerName == "" || ch.URL == "" {
		return
	}
	var other string
	switch {
	case ch.Auth.OAuth2 != nil:
		other = ch.Auth.OAuth2.TokenURL
	case ch.Auth.Login != nil:
		other = ch.Auth.Login.URL
	}
	u, err1 := url.Parse(ch.URL)
	o, err2 := url.Parse(other)
	if other == "" || err1 != nil || err2 != nil || o.Host == "" || strings.EqualFold(u.Hostname(), o.Hostname()) {
		return
	}
	c.add(key, "server_name applies to every request of the check, also to its credentials' %s on %s, "+
		"whose certificate would have to carry %q: give that host a check of its own, or drop server_name",
		map[bool]string{true: "token_url", false: "login url"}[ch.Auth.OAuth2 != nil], o.Hostname(), ch.Conn.ServerName)
}
