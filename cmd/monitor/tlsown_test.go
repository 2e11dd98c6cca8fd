package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks/proxytest"
)

// pki is a private CA made for one test, and what it issued.
type pki struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newPKI(t *testing.T) pki {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test private CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return pki{cert: cert, key: key}
}

// issue returns a leaf valid until notAfter and its PEM certificate and key.
func (p pki) issue(t *testing.T, cn string, dns []string, notAfter time.Time, usage x509.ExtKeyUsage) (tls.Certificate, []byte, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, DNSNames: dns,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c, certPEM, keyPEM
}

func (p pki) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw})
}

// proxyCanaryForms are the proxy password's spellings: plain, URL-encoded,
// Base64 (both alphabets, padded or not) alone and paired with the user,
// as Proxy-Authorization carries it.
func proxyCanaryForms(user, pass string) map[string]string {
	out := map[string]string{"plain": pass, "query": url.QueryEscape(pass), "path": url.PathEscape(pass),
		"userinfo": url.UserPassword(user, pass).String()}
	for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "raw-std": base64.RawStdEncoding,
		"url": base64.URLEncoding, "raw-url": base64.RawURLEncoding} {
		out["b64-"+name] = enc.EncodeToString([]byte(pass))
		out["b64-pair-"+name] = enc.EncodeToString([]byte(user + ":" + pass))
	}
	return out
}

// TestCheckTLSProxyAndOwnCredentials runs `monitor check` on a config
// with a private CA, server_name, an mtls certificate that expires in 5
// days, insecure_skip_verify, and a proxy with credentials: the checks go
// through the proxy, the certificate is warned about (A7.cert), the
// insecure check is flagged, and no spelling of the proxy password leaves
// the command, though the proxy hands it to a target that echoes it.
func TestCheckTLSProxyAndOwnCredentials(t *testing.T) {
	const user, pass = "mon", "CANARY-prx!$(15p)*="
	forms := proxyCanaryForms(user, pass)
	dir := t.TempDir()
	ca := newPKI(t)
	serverCert, _, _ := ca.issue(t, "auth.internal.test", []string{"auth.internal.test"}, time.Now().Add(90*24*time.Hour), x509.ExtKeyUsageServerAuth)
	_, clientPEM, clientKey := ca.issue(t, "authmon", nil, time.Now().Add(5*24*time.Hour+time.Hour), x509.ExtKeyUsageClientAuth)
	for name, b := range map[string][]byte{"ca.pem": ca.pem(), "client.pem": clientPEM, "client.key": clientKey} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	private := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello authmon") }))
	private.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	private.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	private.StartTLS()
	t.Cleanup(private.Close)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer echo-token-15" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="echo"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		doc := map[string]string{"proxy_authorization": r.Header.Get("Proxy-Authorization")}
		w.Header().Set("X-Proxy-Authorization", r.Header.Get("Proxy-Authorization"))
		for name, f := range forms {
			doc[name] = f
			w.Header().Add("X-Echo", f)
		}
		json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(echo.Close)
	proxy := proxytest.New(t, user, pass, true)
	t.Setenv("PROXY_PASSWORD", pass)
	proxyURL := strings.Replace(proxy.URL, "http://", "http://"+user+":${PROXY_PASSWORD}@", 1)
	cfg := filepath.Join(dir, "checks.toml")
	doc := fmt.Sprintf(`
[credentials.client-cert]
type = "mtls"
cert_file = "client.pem"
key_file = "client.key"

[[check]]
name = "private"
url = %[1]q
credentials = "client-cert"
proxy = %[2]q
[check.tls]
ca_file = "ca.pem"
server_name = "auth.internal.test"

[[check]]
name = "insecure"
url = %[1]q
credentials = "client-cert"
ignore = ["A7"]
[check.tls]
insecure_skip_verify = true

[[check]]
name = "echo"
url = %[3]q
proxy = %[2]q
[check.auth]
type = "bearer"
token = "echo-token-15"
[check.valid]
body_contains = "no such text"
`, private.URL+"/me", proxyURL, echo.URL+"/echo")
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	_, table, tableErr := runCLI("check", "-config", cfg)
	code, js, jsErr := runCLI("check", "-format", "json", "-config", cfg)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s%s", code, js, jsErr)
	}
	for _, want := range []string{"[A7.cert warning] the monitor's client certificate expires in 5 days (",
		"insecure  ", "INSECURE insecure_skip_verify = true: certificate verification is off for this check; it would fail: TLS: "} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if !strings.Contains(tableErr, `check[1] "insecure": insecure_skip_verify = true`) || strings.Contains(tableErr, "private") {
		t.Errorf("stderr: %s", tableErr)
	}
	if code, out, _ := runCLI("validate", "-config", cfg); code != exitOK || !strings.Contains(out, `check[1] "insecure": insecure_skip_verify = true`) {
		t.Errorf("validate: exit %d: %s", code, out)
	}
	if proxy.Connects.Load() == 0 || proxy.Forwards.Load() == 0 {
		t.Errorf("through the proxy: %d CONNECTs, %d forwarded", proxy.Connects.Load(), proxy.Forwards.Load())
	}
	compact := strings.Join(strings.Fields(js), "")
	if !strings.Contains(compact, `"insecure":true`) || !strings.Contains(js, "[REDACTED]") {
		t.Errorf("json output flags no insecure assertion, or redacted no echo: %s", js)
	}
	all := table + tableErr + js + jsErr
	for name, f := range forms {
		if strings.Contains(all, f) {
			t.Errorf("the proxy password leaves monitor check (%s: %q)", name, f)
		}
	}
}
