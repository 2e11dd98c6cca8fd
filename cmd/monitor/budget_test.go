package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestServeSpendsTheBudget (item 10): `monitor serve` runs checks with the
// budget kept in its store. Two checks naming one user against a loopback
// target that counts failed logins, run every second through a restart of
// the whole monitor, cause no more than the budget; the check page shows
// it spent and the probes skipped.
func TestServeSpendsTheBudget(t *testing.T) {
	var failed, runs atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if ok && user == "svc" && pass == "right-pw-1234" {
			runs.Add(1)
			w.Write([]byte("ok"))
			return
		}
		if ok && user == "svc" {
			failed.Add(1)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="b"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "checks.toml")
	doc := `
[credentials.svc]
type = "basic"
username = "svc"
password = "right-pw-1234"
failed_login_budget = 3
`
	for _, name := range []string{"one", "two"} {
		doc += fmt.Sprintf("\n[[check]]\nname = %q\nurl = %q\nschedule = \"@every 1s\"\ntimeout = \"1s\"\ncredentials = \"svc\"\n",
			name, srv.URL+"/"+name)
	}
	os.WriteFile(cfg, []byte(doc), 0o600)
	db := filepath.Join(dir, "m.db")
	for life := 1; life <= 2; life++ {
		m := startMonitor(t, cfg, db)
		want := runs.Load() + 6
		waitFor(t, "six more runs", func() bool { return runs.Load() >= want })
		page := m.get(t, "/checks/one")
		m.stop(t)
		if n := failed.Load(); n != 3 {
			t.Fatalf("life %d: the target saw %d failed logins for svc, want the budget's 3", life, n)
		}
		if !strings.Contains(page, "exhausted, 3/3 in the last 30 minutes") || !strings.Contains(page, `failed-login budget for user &#34;svc&#34; exhausted`) {
			t.Fatalf("life %d: the check page does not show the spent budget:\n%s", life, page)
		}
	}
}
