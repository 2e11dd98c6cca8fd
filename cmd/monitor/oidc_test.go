package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/checks/fositetest"
)

// writeOIDCConfig is an oidc_login check of the fosite IdP's public
// client, the canary password from the environment.
func writeOIDCConfig(t *testing.T, dir string, s *fositetest.Server) string {
	t.Helper()
	cfg := fmt.Sprintf(`
[[check]]
name = "sso"
kind = "oidc_login"
url = %q
schedule = "@every 1s"
timeout = "5s"
[check.oidc]
client_id = %q
redirect_uri = %q
scopes = ["openid", "profile"]
username = %q
password = "${OIDC_PASSWORD}"
`, s.URL, fositetest.PublicClientID, s.CallbackURL(), fositetest.User)
	path := filepath.Join(dir, "oidc.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckOIDCLogin: `monitor check` runs an OIDC login against a real
// fosite IdP: it passes the healthy server and fails, naming B22, when
// the IdP lets a code be used twice; the password never reaches stdout.
func TestCheckOIDCLogin(t *testing.T) {
	t.Setenv("OIDC_PASSWORD", fositetest.Password)
	s := fositetest.New(t)
	cfg := writeOIDCConfig(t, t.TempDir(), s)
	code, out, errOut := runCLI("check", "-config", cfg)
	if code != exitOK || !strings.Contains(out, "1 checks: 1 passed, 0 failed") {
		t.Fatalf("healthy: exit %d\n%s%s", code, out, errOut)
	}
	s.Break(fositetest.Faults{CodeReuse: true})
	code, out, _ = runCLI("check", "-config", cfg)
	if code != exitFailed || !strings.Contains(out, "B22") {
		t.Fatalf("code reuse: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("check", "-format", "json", "-config", cfg)
	if code != exitFailed || strings.Contains(out, fositetest.Password) || !strings.Contains(out, `"code_exchange"`) {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
}

// TestServeOIDCLogin: `monitor serve` schedules the OIDC login, records
// its legs and shows the check passing, then failing once the IdP stops
// enforcing PKCE.
func TestServeOIDCLogin(t *testing.T) {
	t.Setenv("OIDC_PASSWORD", fositetest.Password)
	s := fositetest.New(t)
	dir := t.TempDir()
	m := startMonitor(t, writeOIDCConfig(t, dir, s), filepath.Join(dir, "monitor.db"))
	waitFor(t, "the OIDC login to pass", func() bool { return strings.Contains(m.get(t, "/"), "✔ passing") })
	s.Break(fositetest.Faults{PKCEOptional: true})
	waitFor(t, "the dashboard to show the failure", func() bool { return strings.Contains(m.get(t, "/"), "✖ failing") })
	page := m.get(t, "/checks/sso")
	m.stop(t)
	if !strings.Contains(page, "B20") {
		t.Error("the check page does not name B20")
	}
	if strings.Contains(page+m.logs.String(), fositetest.Password) {
		t.Error("the password reached the page or the logs")
	}
}
