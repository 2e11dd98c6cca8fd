//go:build linux

package checks_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// The nginx tests run the checks against a real third-party server: Debian's
// nginx, started by the test on a free loopback port with auth_basic and an
// htpasswd file the test writes. They skip when nginx is not installed,
// except on CI (CI=true), whose .ci/run installs it: there a missing nginx
// must fail rather than pass silently.

const (
	nginxRealm    = "authmon-nginx"
	nginxUser     = "canary"
	nginxPassword = "CANARY-nginx-pw-5521" // also the canary that must never be recorded
	nginxBody     = "authmon nginx protected resource"
)

// Location bodies for /private/: protected, and the regression under test.
const (
	authOn  = `auth_basic "` + nginxRealm + `"; auth_basic_user_file %s;`
	authOff = `auth_basic off;`
)

// nginxServer is one nginx master process serving a temporary prefix.
type nginxServer struct {
	dir  string
	base string // http://127.0.0.1:PORT
	port int
	cmd  *exec.Cmd
	done chan error // receives the master's exit
}

// findNginx returns the nginx binary, or skips (fails on CI) without one.
func findNginx(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("nginx")
	if err != nil {
		path, err = exec.LookPath("/usr/sbin/nginx") // /usr/sbin is often not on a user's PATH
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nginx is required on CI (.ci/run installs it): %v", err)
		}
		t.Skipf("nginx not installed (apt-get install nginx-light or nginx): %v", err)
	}
	return path
}

// startNginx writes a prefix directory with an htpasswd file and a config
// whose /private/ location is protected, starts nginx in the foreground as
// a child process, and waits until it answers.
func startNginx(t *testing.T) *nginxServer {
	t.Helper()
	bin := findNginx(t)
	n := &nginxServer{dir: t.TempDir(), port: freePort(t)}
	n.base = fmt.Sprintf("http://127.0.0.1:%d", n.port)
	for _, d := range []string{"www/private", "www/hidden", "temp"} {
		if err := os.MkdirAll(filepath.Join(n.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(n.dir, "www/private/data.txt"), nginxBody+"\n")
	writeFile(t, filepath.Join(n.dir, "www/hidden/data.txt"), "hidden\n")
	writeFile(t, filepath.Join(n.dir, "htpasswd"), nginxUser+":"+sshaHash(nginxPassword)+"\n")
	n.configure(t, fmt.Sprintf(authOn, filepath.Join(n.dir, "htpasswd")))

	conf := filepath.Join(n.dir, "nginx.conf")
	n.cmd = exec.Command(bin, "-p", n.dir+"/", "-c", conf, "-e", filepath.Join(n.dir, "error.log"))
	// Its own process group, which the workers join: stop can kill them all
	// if the master hangs, and nothing else.
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	n.done = make(chan error, 1)
	go func() { n.done <- n.cmd.Wait() }()
	t.Cleanup(n.stop)

	n.waitFor(t, "nginx to answer", func(status int) bool { return status != 0 })
	return n
}

// configure writes nginx.conf with the given /private/ location body. Every
// path nginx writes to is inside the temporary prefix.
func (n *nginxServer) configure(t *testing.T, private string) {
	t.Helper()
	user := ""
	if os.Geteuid() == 0 { // workers would drop to nobody, who cannot read the 0700 temp dir
		user = "user root;"
	}
	d := n.dir
	conf := fmt.Sprintf(`daemon off;
master_process on;
worker_processes 1;
%s
pid %s/nginx.pid;
error_log %s/error.log warn;
events { worker_connections 64; }
http {
	access_log %s/access.log;
	client_body_temp_path %s/temp/body;
	proxy_temp_path %s/temp/proxy;
	fastcgi_temp_path %s/temp/fastcgi;
	uwsgi_temp_path %s/temp/uwsgi;
	scgi_temp_path %s/temp/scgi;
	default_type text/plain;
	server {
		listen 127.0.0.1:%d;
		root %s/www;
		location /private/ { %s }
		location /hidden/ { deny all; }
	}
}
`, user, d, d, d, d, d, d, d, d, n.port, d, private)
	writeFile(t, filepath.Join(d, "nginx.conf"), conf)
}

// reload rewrites the /private/ location, sends SIGHUP to the master and
// waits until the old workers are gone (until then they may still accept
// connections with the old config) and a request without credentials gets
// wantStatus.
func (n *nginxServer) reload(t *testing.T, private string, wantStatus int) {
	t.Helper()
	old := n.workers(t)
	n.configure(t, private)
	if err := n.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatalf("reload nginx: %v", err)
	}
	n.waitFor(t, fmt.Sprintf("nginx to answer %d with its old workers gone", wantStatus), func(status int) bool {
		return status == wantStatus && !slices.ContainsFunc(old, alive)
	})
}

// workers lists the PIDs of the master's children, read from /proc.
func (n *nginxServer) workers(t *testing.T) []int {
	t.Helper()
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		pid, err1 := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		b, err2 := os.ReadFile(f)
		i := bytes.LastIndexByte(b, ')') // fields after the command name, which may hold spaces
		var state string
		var ppid int
		if err1 != nil || err2 != nil || i < 0 {
			continue // not a process, or it just exited
		}
		if _, err := fmt.Sscanf(string(b[i+1:]), " %s %d", &state, &ppid); err == nil && ppid == n.cmd.Process.Pid {
			out = append(out, pid)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no nginx worker found under master %d in /proc", n.cmd.Process.Pid)
	}
	return out
}

// alive reports whether a process exists and has not exited yet.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	i := strings.LastIndexByte(string(b), ')')
	return err == nil && i > 0 && !strings.HasPrefix(string(b[i+1:]), " Z")
}

// waitFor polls /private/data.txt without credentials, for at most 5s.
func (n *nginxServer) waitFor(t *testing.T, what string, ok func(status int) bool) {
	t.Helper()
	// A new connection per request: a kept-alive one could stay with an
	// old worker.
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(5 * time.Second)
	for {
		status := 0
		if resp, err := hc.Get(n.base + "/private/data.txt"); err == nil {
			resp.Body.Close()
			status = resp.StatusCode
		}
		if ok(status) {
			return
		}
		select {
		case err := <-n.done:
			n.done <- err
			t.Fatalf("nginx exited while waiting for %s: %v\n%s", what, err, n.errorLog())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last status %d)\n%s", what, status, n.errorLog())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop asks the master for a fast shutdown (SIGTERM stops its workers too)
// and waits; if it hangs, it kills the process group the test created.
func (n *nginxServer) stop() {
	pid := n.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-n.done
	}
}

func (n *nginxServer) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
	return "nginx error.log:\n" + string(b)
}

// sshaHash is an htpasswd {SSHA} entry: base64(SHA-1(password+salt) + salt),
// one of the schemes nginx's auth_basic_user_file reads.
func sshaHash(password string) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt)
	sum := sha1.Sum(append([]byte(password), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// nginxCheck is a Basic check of /private/data.txt with every denied probe
// the checks package runs for Basic.
func nginxCheck(base string) checks.Check {
	denied := func(k checks.ProbeKind) checks.ProbeSpec {
		return checks.ProbeSpec{Kind: k, Scheme: "Basic", Realm: nginxRealm}
	}
	return checks.Check{Name: "nginx private", Method: "GET", URL: base + "/private/data.txt",
		Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:    checks.Credential{Kind: checks.AuthBasic, Username: nginxUser, Password: nginxPassword},
		Secrets: []string{nginxPassword},
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid, Status: []int{200}, BodyContains: nginxBody},
			denied(checks.ProbeMissing), denied(checks.ProbeMalformed), denied(checks.ProbeWrong)}}
}

func runCheck(t *testing.T, ch checks.Check) checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := checks.Run(ctx, checks.NewClient(1), ch)
	if raw, _ := json.Marshal(res); strings.Contains(string(raw), nginxPassword) {
		t.Fatalf("the password leaked into the result: %s", raw)
	}
	return res
}

// TestNginx checks a real nginx with auth_basic: the valid probe gets in,
// the others get 401 with nginx's Basic challenge, and every assertion
// passes. Then nginx is reloaded with auth turned off, and the same check
// must report a critical auth bypass on the missing (B1) and wrong (B2)
// probes.
func TestNginx(t *testing.T) {
	n := startNginx(t)
	ch := nginxCheck(n.base)

	res := runCheck(t, ch)
	if !res.Passed() {
		t.Fatalf("protected nginx: %s", res.Summary())
	}
	for _, p := range res.Probes {
		if p.Kind == checks.ProbeValid {
			if p.Status != 200 {
				t.Errorf("valid: status %d, want 200", p.Status)
			}
			continue
		}
		if p.Status != 401 || !slices.Contains(p.ChallengeRaw, `Basic realm="`+nginxRealm+`"`) {
			t.Errorf("%s: status %d, challenges %q; want 401 with Basic realm=%q", p.Kind, p.Status, p.ChallengeRaw, nginxRealm)
		}
	}

	n.reload(t, authOff, 200)
	res = runCheck(t, ch)
	if sev := res.Severity(); sev != checks.SevCritical {
		t.Fatalf("auth off: severity %s, want %s: %s", sev, checks.SevCritical, res.Summary())
	}
	failed := map[checks.ProbeKind][]string{}
	for _, f := range res.Failures() {
		if f.Assertion.Severity == checks.SevCritical {
			failed[f.Probe] = append(failed[f.Probe], f.Assertion.ID)
		}
	}
	if !slices.Contains(failed[checks.ProbeMissing], "B1") || !slices.Contains(failed[checks.ProbeWrong], "B2") ||
		len(failed[checks.ProbeMalformed]) == 0 {
		t.Fatalf("auth off: critical failures %v, want B1 on missing, B2 on wrong and one on malformed", failed)
	}
	if !strings.Contains(res.Summary(), "auth bypass") {
		t.Errorf("summary does not say auth bypass: %s", res.Summary())
	}
}

// TestNginxForbidden checks nginx's `deny all` 403: accepted by a check
// that allows 403, a conformance failure (not a bypass) for one that
// expects the RFC's 401.
func TestNginxForbidden(t *testing.T) {
	n := startNginx(t)
	ch := nginxCheck(n.base)
	ch.URL = n.base + "/hidden/data.txt"
	ch.Probes = []checks.ProbeSpec{{Kind: checks.ProbeMissing, Status: []int{401, 403}}, {Kind: checks.ProbeWrong, Status: []int{401, 403}}}
	if res := runCheck(t, ch); !res.Passed() {
		t.Fatalf("403 allowed: %s", res.Summary())
	}

	ch.Probes = []checks.ProbeSpec{{Kind: checks.ProbeMissing}, {Kind: checks.ProbeWrong}}
	res := runCheck(t, ch)
	if res.Passed() || res.Severity() != checks.SevConf {
		t.Fatalf("403 where 401 is expected: severity %s, want %s: %s", res.Severity(), checks.SevConf, res.Summary())
	}
}
