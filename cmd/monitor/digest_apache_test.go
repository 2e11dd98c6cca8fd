//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/checks/apachetest"
)

// TestCheckDigestApache runs `monitor check` end to end against Apache's
// mod_auth_digest (apachetest: skipped without apache2, failed on CI): a
// digest credential from the config, with the password from the
// environment, passes against the protected server and reports the auth
// bypass of the open one; the password is in neither output.
func TestCheckDigestApache(t *testing.T) {
	t.Setenv("APACHE_DIGEST_PASSWORD", apachetest.Password)
	for _, tc := range []struct {
		name  string
		mode  apachetest.Mode
		code  int
		wants []string
	}{
		{"protected", apachetest.Protected, exitOK, []string{"1 checks: 1 passed, 0 failed"}},
		{"open", apachetest.Open, exitFailed, []string{"[B1 critical-security] without credentials: expected 401 with a Digest challenge, got 200 OK: auth bypass"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := apachetest.Start(t, tc.mode)
			cfg := filepath.Join(t.TempDir(), "checks.toml")
			doc := fmt.Sprintf(`[credentials.apache]
type = "digest"
username = %q
password = "${APACHE_DIGEST_PASSWORD}"

[[check]]
name = "apache digest"
url = "%s%s"
credentials = "apache"
[check.valid]
body_contains = %q
[check.missing]
realm = %q
`, apachetest.User, srv.URL, apachetest.Path, apachetest.Body, apachetest.Realm)
			if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI("check", "-config", cfg)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.wants {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			_, jsonOut, jsonErr := runCLI("check", "-format", "json", "-config", cfg)
			for _, o := range []string{out, errOut, jsonOut, jsonErr} {
				if strings.Contains(o, apachetest.Password) {
					t.Fatalf("the password leaked into the output:\n%s", o)
				}
			}
			if tc.mode == apachetest.Protected && !strings.Contains(jsonOut, `"C25.nonce"`) {
				t.Errorf("C25.nonce not judged:\n%.3000s", jsonOut)
			}
		})
	}
}
