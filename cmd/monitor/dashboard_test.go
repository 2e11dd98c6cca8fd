package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/authmon/monitor/internal/config"
)

// dashPassword is the dashboard password of these tests: a canary.
const dashPassword = "CANARY-dash-pw"

func runInput(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runIO(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHashPassword(t *testing.T) {
	code, out, errOut := runInput(dashPassword+"\n", "hash-password", "-cost", "4")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	hash := strings.TrimSpace(out)
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(dashPassword)); err != nil {
		t.Fatalf("%q does not verify the password: %v", hash, err)
	}
	if strings.Contains(out+errOut, dashPassword) {
		t.Error("the password was printed")
	}
	if c, _ := bcrypt.Cost([]byte(hash)); c != 4 {
		t.Errorf("cost %d, want the -cost given", c)
	}
	for name, in := range map[string]string{"empty stdin": "", "empty line": "\n", "over 72 bytes": strings.Repeat("x", 73)} {
		if code, _, errOut := runInput(in, "hash-password", "-cost", "4"); code != exitConfig || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q", name, code, errOut)
		}
	}
}

func TestHashToken(t *testing.T) {
	code, out, _ := runInput("", "hash-token")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var token, digest string
	if _, err := fmt.Sscanf(out, "token:  %s\nconfig: %s\n", &token, &digest); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	sum := sha256.Sum256([]byte(token))
	if !strings.HasPrefix(token, tokenPrefix) || len(token) != len(tokenPrefix)+43 || digest != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("token %q, digest %q", token, digest)
	}
	if _, again, _ := runInput("", "hash-token"); again == out {
		t.Error("two runs made the same token")
	}
	code, out, _ = runInput(token+"\n", "hash-token", "-stdin")
	if code != exitOK || out != "config: "+digest+"\n" {
		t.Errorf("-stdin: exit %d, %q", code, out)
	}
}

// TestServeRefusesOpenDashboard: without auth, serve will not listen where
// others can reach it, says why and how to fix it, and exits 2.
func TestServeRefusesOpenDashboard(t *testing.T) {
	dir := t.TempDir()
	open := writeDashConfig(t, dir, "open.toml", "")
	listenInConfig := writeDashConfig(t, dir, "listen.toml", "[dashboard]\nlisten = \"0.0.0.0:0\"\n")
	tests := []struct {
		name string
		env  string
		args []string
	}{
		{"all interfaces", "", []string{"-config", open, "-listen", "0.0.0.0:0"}},
		{"empty host", "", []string{"-config", open, "-listen", ":0"}},
		{"IPv6 any", "", []string{"-config", open, "-listen", "[::]:0"}},
		{"a host name", "", []string{"-config", open, "-listen", "monitor.example:0"}},
		{"from the environment", "0.0.0.0:0", []string{"-config", open}},
		{"from the config", "", []string{"-config", listenInConfig}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AUTHMON_LISTEN", tt.env)
			args := append([]string{"serve", "-db", filepath.Join(dir, "m.db")}, tt.args...)
			code, _, errOut := runCLI(args...)
			if code != exitConfig {
				t.Fatalf("exit %d, want %d\n%s", code, exitConfig, errOut)
			}
			for _, want := range []string{"refusing to serve the dashboard", "without authentication", "127.0.0.1",
				"hash-password", "hash-token", "proxy_user_header", "allow_anonymous = true"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("the message lacks %q:\n%s", want, errOut)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "m.db")); err == nil {
		t.Error("a refused serve created the database")
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "127.0.0.2:0": true, "[::1]:8080": true,
		"localhost:8080": true, "LOCALHOST:1": true, "[::ffff:127.0.0.1]:1": true, "0.0.0.0:8080": false, ":8080": false,
		"[::]:8080": false, "192.168.1.10:8080": false, "example.com:80": false} {
		if got := loopbackOnly(addr); got != want {
			t.Errorf("loopbackOnly(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestCheckExposure: allow_anonymous, or any way of authenticating, lifts
// the refusal (tested without binding: tests listen on loopback only).
func TestCheckExposure(t *testing.T) {
	sum := [32]byte{1}
	tests := []struct {
		name string
		d    config.Dashboard
		addr string
		ok   bool
	}{
		{"loopback, no auth", config.Dashboard{}, "127.0.0.1:8080", true},
		{"exposed, no auth", config.Dashboard{}, "0.0.0.0:8080", false},
		{"exposed, anonymous on purpose", config.Dashboard{AllowAnonymous: true}, "0.0.0.0:8080", true},
		{"exposed, users", config.Dashboard{Users: []config.DashboardUser{{Name: "ops", PasswordHash: "$2a$..."}}}, ":8080", true},
		{"exposed, tokens", config.Dashboard{Tokens: [][32]byte{sum}}, "[::]:8080", true},
		{"exposed, proxy", config.Dashboard{ProxyUserHeader: "X-User"}, "10.0.0.1:8080", true},
	}
	for _, tt := range tests {
		if err := checkExposure(tt.addr, tt.d); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

// TestServeDashboardAuthEndToEnd: hash a password and a token with the
// commands, configure them, and let the monitor check its own dashboard
// through the real scheduler: the check must pass (401 with a correct
// challenge without or with wrong credentials, 200 with them). Then the
// API, health, readiness and metrics answer, and no secret is stored or logged.
func TestServeDashboardAuthEndToEnd(t *testing.T) {
	t.Setenv("DASH_PASSWORD", dashPassword)
	_, hashOut, _ := runInput(dashPassword, "hash-password", "-cost", "4")
	_, tokOut, _ := runInput("", "hash-token")
	var token, digest string
	if _, err := fmt.Sscanf(tokOut, "token:  %s\nconfig: %s\n", &token, &digest); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	dir := t.TempDir()
	cfg := writeDashConfig(t, dir, "checks.toml", fmt.Sprintf(`[dashboard]
users = [{ name = "ops", password_hash = %q }]
tokens = [%q]

[[check]]
name = "dashboard"
url = "http://127.0.0.1:%d/api/v1/checks"
schedule = "@every 1s"
timeout = "2s"
[check.auth]
type = "basic"
username = "ops"
password = "${DASH_PASSWORD}"
[check.missing]
realm = "authmon"
[check.wrong]
realm = "authmon"
`, strings.TrimSpace(hashOut), digest, port))
	dbPath := filepath.Join(dir, "m.db")
	s := startServe(t, "-config", cfg, "-db", dbPath, "-listen", fmt.Sprintf("127.0.0.1:%d", port))
	auth := map[string]string{"Authorization": "Bearer " + token}

	waitFor(t, "the dashboard check to pass", func() bool {
		code, body, _ := fetch(t, s.addr+"/api/v1/checks/dashboard", auth)
		var c struct{ State string }
		return code == 200 && json.Unmarshal([]byte(body), &c) == nil && c.State == "passing"
	})
	code, _, hdr := fetch(t, s.addr+"/api/v1/checks", nil)
	if got := hdr.Values("WWW-Authenticate"); code != 401 || len(got) != 2 ||
		got[0] != `Basic realm="authmon", charset="UTF-8"` || got[1] != `Bearer realm="authmon"` {
		t.Errorf("without credentials: %d %q", code, got)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		if code, body, _ := fetch(t, s.addr+path, nil); code != 200 || body != want {
			t.Errorf("GET %s: %d %q", path, code, body)
		}
	}
	_, metrics, _ := fetch(t, s.addr+"/metrics", auth)
	for _, want := range []string{`authmon_check_state{check="dashboard",state="passing"} 1`, `authmon_runs_total{result="passed"}`,
		"authmon_store_write_duration_seconds_count", "authmon_scheduler_lateness_seconds_count",
		`authmon_probe_duration_seconds_count{check="dashboard",probe="missing"}`, "authmon_alert_queue_depth 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code, body, _ := fetch(t, s.addr+"/badges/dashboard/status.svg", auth); code != 200 || !strings.Contains(body, "passing") {
		t.Errorf("badge: %d", code)
	}
	s.stop(t)
	assertNoSecret(t, []string{dashPassword, token}, dbPath, s.logs.String())
}

// serveProc is one `monitor serve` started through runIO.
type serveProc struct {
	cancel context.CancelFunc
	done   chan int
	logs   *syncBuffer
	addr   string
}

func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serveProc{cancel: cancel, done: make(chan int, 1), logs: &syncBuffer{}}
	go func() {
		s.done <- runIO(ctx, append([]string{"serve"}, args...), strings.NewReader(""), io.Discard, s.logs)
	}()
	waitFor(t, "the dashboard to listen", func() bool {
		select {
		case code := <-s.done:
			t.Fatalf("serve exited %d\n%s", code, s.logs.String())
		default:
		}
		if sm := listenRE.FindStringSubmatch(s.logs.String()); sm != nil {
			s.addr = sm[1]
			return true
		}
		return false
	})
	return s
}

func (s *serveProc) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		if code != exitOK {
			t.Fatalf("serve exited %d\n%s", code, s.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s")
	}
}

func fetch(t *testing.T, url string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// writeDashConfig writes a config: section, plus a check of a closed port
// when section has none.
func writeDashConfig(t *testing.T, dir, name, section string) string {
	t.Helper()
	body := section
	if !strings.Contains(section, "[[check]]") {
		body += "\n[[check]]\nname = \"nothing\"\nurl = \"http://127.0.0.1:9/x\"\nschedule = \"@hourly\"\n"
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// assertNoSecret reads the database files and the logs for any secret.
func assertNoSecret(t *testing.T, secrets []string, dbPath, logs string) {
	t.Helper()
	files, _ := filepath.Glob(dbPath + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret", filepath.Base(f))
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Error("the log holds a secret")
		}
	}
}
