package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

const connDoc = `
[credentials.client]
type = "mtls"
cert_file = "certs/client.pem"
key_file = "certs/client.key"
expiry_warn_days = 30

[credentials.idp]
type = "oauth2"
token_url = "https://idp.internal.example/token"
client_id = "authmon"
client_secret = "s3cret-16"
expires_at = 2027-03-31

[credentials.idp2]
type = "oauth2"
token_url = "https://idp.internal.example/token"
client_id = "authmon2"
client_secret = "s3cret-17"
expires_at = "2027-03-31T12:00:00+02:00"

[[check]]
name = "private"
url = "https://10.0.0.7/me"
credentials = "client"
proxy = "http://mon:${PROXY_PASSWORD}@proxy.internal:3128"
[check.tls]
ca_file = "certs/client.pem"   # any PEM certificate will do for loading
server_name = "api.internal.example"

[[check]]
name = "token"
url = "https://api.internal.example/me"
credentials = "idp"

[[check]]
name = "token2"
url = "https://api.internal.example/me"
credentials = "idp2"
proxy = "socks5h://proxy.internal:1080"
[check.tls]
insecure_skip_verify = true
`

// TestConnAndExpiryKeys: [check.tls], proxy, expires_at and
// expiry_warn_days load into the check; ca_file is read relative to the
// config file; the proxy's password and user:password are secrets.
func TestConnAndExpiryKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "certs"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeClientCert(t, filepath.Join(dir, "certs"), "client", "authmon")
	path := filepath.Join(dir, "checks.toml")
	if err := os.WriteFile(path, []byte(connDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(n string) (string, bool) {
		return map[string]string{"PROXY_PASSWORD": "pr0xy-pw!"}[n], n == "PROXY_PASSWORD"
	}
	data, _ := os.ReadFile(path)
	cfg, err := Parse(path, data, env)
	if err != nil {
		t.Fatal(err)
	}
	priv, tok, tok2 := cfg.Checks[0], cfg.Checks[1], cfg.Checks[2]
	if c := priv.Conn; len(c.CAPEM) == 0 || c.CAFile != "certs/client.pem" || c.ServerName != "api.internal.example" || c.InsecureSkipVerify ||
		c.Proxy != "http://mon:pr0xy-pw!@proxy.internal:3128" {
		t.Fatalf("conn %+v", c)
	}
	if priv.Auth.ExpiryWarn != 30*24*time.Hour {
		t.Errorf("expiry_warn_days: %s", priv.Auth.ExpiryWarn)
	}
	for _, s := range []string{"pr0xy-pw!", "mon:pr0xy-pw!", "mon:pr0xy-pw%21"} {
		if !slices.Contains(priv.Secrets, s) || !slices.Contains(cfg.Secrets, s) {
			t.Errorf("%q is not a secret", s)
		}
	}
	if want := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC); !tok.Auth.SecretExpires.Equal(want) || tok.Auth.ExpiryWarn != 0 {
		t.Errorf("a date: %s, warn %s", tok.Auth.SecretExpires, tok.Auth.ExpiryWarn)
	}
	if want := time.Date(2027, 3, 31, 10, 0, 0, 0, time.UTC); !tok2.Auth.SecretExpires.Equal(want) {
		t.Errorf("a date-time: %s", tok2.Auth.SecretExpires)
	}
	if c := tok2.Conn; !c.InsecureSkipVerify || c.Proxy != "socks5h://proxy.internal:1080" || len(tok2.Secrets) == 0 {
		t.Errorf("conn %+v", c)
	}
}
