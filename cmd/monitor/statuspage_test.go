package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeStatusPage: serve wires [status_page]: the page and its JSON are
// open while the dashboard needs a login, show the component's name and
// none of the check's, and the admin page still asks for credentials.
func TestServeStatusPage(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(target.Close)
	_, hashOut, _ := runInput(dashPassword, "hash-password", "-cost", "4")
	dir := t.TempDir()
	cfg := writeDashConfig(t, dir, "checks.toml", fmt.Sprintf(`[dashboard]
users = [{ name = "ops", password_hash = %q }]

[status_page]
title = "Acme status"
cache = "1s"
[[status_page.component]]
name = "Sign-in"
checks = ["internal login check"]

[[check]]
name = "internal login check"
url = "%s/login?key=${DASH_PASSWORD}"
schedule = "@every 1s"
[check.auth]
type = "basic"
username = "ops"
password = "${DASH_PASSWORD}"
`, strings.TrimSpace(hashOut), target.URL))
	t.Setenv("DASH_PASSWORD", dashPassword)
	s := startServe(t, "-config", cfg, "-db", filepath.Join(dir, "m.db"), "-listen", "127.0.0.1:0")
	defer s.stop(t)
	waitFor(t, "the check to run", func() bool {
		_, body, _ := fetch(t, s.addr+"/status.json", nil)
		var page struct{ Components []struct{ State string } }
		return json.Unmarshal([]byte(body), &page) == nil && len(page.Components) == 1 && page.Components[0].State != "unknown"
	})
	for _, path := range []string{"/status", "/status.json"} {
		code, body, _ := fetch(t, s.addr+path, nil)
		if code != http.StatusOK || !strings.Contains(body, "Sign-in") || !strings.Contains(body, "Acme status") {
			t.Errorf("GET %s without credentials: %d\n%s", path, code, body)
		}
		for _, leak := range []string{"internal login check", "127.0.0.1", dashPassword, "/login"} {
			if strings.Contains(body, leak) {
				t.Errorf("GET %s shows %q", path, leak)
			}
		}
	}
	if code, _, _ := fetch(t, s.addr+"/status-admin", nil); code != http.StatusUnauthorized {
		t.Errorf("GET /status-admin without credentials: %d, want 401", code)
	}
}
