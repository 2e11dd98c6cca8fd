package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

const dashboardDoc = `
[dashboard]
listen = "0.0.0.0:8080"
users = [{ name = "ops", password_hash = "$2a$04$M3Qy1SNtRCGS59gGXtHiMuDI5eBEm4uKFtJELmLq0cHtOUQ/FBtUi" }]
tokens = ["sha256:` + "%s" + `"]
proxy_user_header = "X-Forwarded-User"
trusted_proxies = ["127.0.0.1", "10.0.0.0/8", "::1/128"]
public_badges = true
`

func TestDashboardSection(t *testing.T) {
	sum := sha256.Sum256([]byte("amt_token"))
	doc := strings.Replace(dashboardDoc, "%s", hex.EncodeToString(sum[:]), 1)
	cfg, err := Parse("c.toml", []byte(doc+oneCheck), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Dashboard
	if d.Listen != "0.0.0.0:8080" || d.Realm != DefaultRealm || !d.PublicBadges || d.AllowAnonymous || !d.AuthConfigured() {
		t.Errorf("dashboard %+v", d)
	}
	if len(d.Users) != 1 || d.Users[0].Name != "ops" || !strings.HasPrefix(d.Users[0].PasswordHash, "$2a$04$") {
		t.Errorf("users %+v", d.Users)
	}
	if len(d.Tokens) != 1 || d.Tokens[0] != sum {
		t.Errorf("tokens %x", d.Tokens)
	}
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	if d.ProxyUserHeader != "X-Forwarded-User" || len(d.TrustedProxies) != 3 || d.TrustedProxies[0] != want[0] ||
		d.TrustedProxies[1] != want[1] || d.TrustedProxies[2] != want[2] {
		t.Errorf("proxy %q %v", d.ProxyUserHeader, d.TrustedProxies)
	}
}

func TestDashboardDefaults(t *testing.T) {
	cfg, err := Parse("c.toml", []byte(minimal), func(string) (string, bool) { return "x", true })
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Dashboard; d.AuthConfigured() || d.Listen != "" || d.Realm != DefaultRealm || d.AllowAnonymous || d.PublicBadges {
		t.Errorf("no [dashboard]: %+v", d)
	}
}

// TestDashboardProblemsHideValues: a token or password pasted in clear by
// mistake is never repeated in the error.
func TestDashboardProblemsHideValues(t *testing.T) {
	doc := "[dashboard]\nusers = [{ name = \"ops\", password_hash = \"CANARY-pass\" }]\ntokens = [\"CANARY-token\"]\n" +
		"proxy_user_header = \"X-User\"\n"
	_, err := Parse("c.toml", []byte(doc+oneCheck), noEnv)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 3 {
		t.Fatalf("err = %v, want 3 problems", err)
	}
	if strings.Contains(err.Error(), "CANARY") {
		t.Errorf("a value in the error: %v", err)
	}
	if !strings.Contains(err.Error(), "proxy_user_header: set trusted_proxies too") {
		t.Errorf("no word on the untrusted proxy header: %v", err)
	}
}
