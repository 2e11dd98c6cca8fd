package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// writeClientCert writes a self-signed client certificate and its key as
// PEM files named base.pem and base.key in dir.
func writeClientCert(t *testing.T, dir, base, cn string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(base+".pem", "CERTIFICATE", der)
	write(base+".key", "PRIVATE KEY", keyDER)
}

const mtlsDoc = `
[credentials.client]
type = "mtls"
cert_file = "certs/client.pem"
key_file = "certs/%s.key"

[[check]]
name = "mtls"
url = "https://api.example.com/"
credentials = "client"
`

// TestClientCertificate: cert_file and key_file are read relative to the
// config file's directory, whatever the working directory.
func TestClientCertificate(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "certs"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeClientCert(t, filepath.Join(dir, "certs"), "client", "authmon-canary")
	writeClientCert(t, filepath.Join(dir, "certs"), "other", "someone-else")
	path := filepath.Join(dir, "checks.toml")
	if err := os.WriteFile(path, []byte(strings.Replace(mtlsDoc, "%s", "client", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ch := cfg.Checks[0]
	if ch.Auth.Cert == nil || ch.Auth.Cert.Leaf == nil || ch.Auth.Cert.Leaf.Subject.CommonName != "authmon-canary" {
		t.Fatalf("certificate not loaded: %+v", ch.Auth.Cert)
	}
	if got := probeNames(ch.Probes); got != "valid missing malformed wrong" {
		t.Errorf("probes %q", got)
	}
	for _, s := range cfg.Secrets {
		if strings.Contains(s, "PRIVATE KEY") {
			t.Errorf("the private key is listed as a secret text: it stays a file")
		}
	}

	// A key that belongs to another certificate names cert_file.
	if err := os.WriteFile(path, []byte(strings.Replace(mtlsDoc, "%s", "other", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Key != "credentials.client.cert_file" ||
		!strings.Contains(ps[0].Msg, "private key does not match public key") {
		t.Fatalf("mismatched key: %v", err)
	}
}

func probeNames(ps []checks.ProbeSpec) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p.Kind)
	}
	return strings.Join(names, " ")
}
