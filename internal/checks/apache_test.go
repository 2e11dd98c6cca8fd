//go:build linux

package checks_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// The Apache tests run Digest checks against Debian's apache2 with
// mod_auth_digest, started by the test on a free loopback port from a
// config in t.TempDir() with its own ServerRoot, PidFile and an htdigest
// file the test writes. Like the nginx tests they skip when apache2 is not
// installed, except on CI (CI=true), whose .ci/run installs it.

const (
	apacheRealm    = "authmon-apache"
	apacheUser     = "canary"
	apachePassword = "CANARY-apache-digest-7731" // the canary that must never be recorded
	apacheBody     = "authmon apache digest resource"
)

// Bodies of the <Directory> of /private/: protected, and the faults under test.
const (
	digestOn   = "AuthType Digest\nAuthName \"" + apacheRealm + "\"\nAuthDigestDomain /private/\nAuthDigestProvider file\nAuthUserFile %s\nRequire valid-user"
	digestOpen = "Require all granted"
)

// apacheModules are the modules the generated config loads, from Debian's
// module directory: an MPM, the auth stack and nothing else.
var apacheModules = []string{"mpm_event", "authn_core", "authn_file", "authz_core", "authz_user", "auth_digest"}

type apacheServer struct {
	dir, base string
	port      int
	cmd       *exec.Cmd
	done      chan error
	stderr    bytes.Buffer
}

// findApache returns the apache2 binary, or skips (fails on CI) without one.
func findApache(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("apache2")
	if err != nil {
		path, err = exec.LookPath("/usr/sbin/apache2") // /usr/sbin is often not on a user's PATH
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("apache2 is required on CI (.ci/run installs it): %v", err)
		}
		t.Skipf("apache2 not installed (apt-get install --no-install-recommends apache2): %v", err)
	}
	return path
}

// startApache starts apache2 in the foreground with /private/ configured
// by dirBody (a format taking the htdigest file's path, or a fixed body),
// and waits until it answers.
func startApache(t *testing.T, dirBody string) *apacheServer {
	t.Helper()
	bin := findApache(t)
	a := &apacheServer{dir: t.TempDir(), port: freePort(t)}
	a.base = fmt.Sprintf("http://127.0.0.1:%d", a.port)
	if os.Geteuid() == 0 {
		// The workers drop to nobody, who must reach the 0700 temporary
		// directories Go creates: open them (and only them) for reading.
		for d := a.dir; d != filepath.Dir(os.TempDir()) && d != "/" && strings.HasPrefix(d, os.TempDir()); d = filepath.Dir(d) {
			_ = os.Chmod(d, 0o755)
		}
	}
	if err := os.MkdirAll(filepath.Join(a.dir, "www/private"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(a.dir, "www/private/data.txt"), apacheBody+"\n")
	ha1 := md5.Sum([]byte(apacheUser + ":" + apacheRealm + ":" + apachePassword))
	htdigest := filepath.Join(a.dir, "htdigest")
	writeFile(t, htdigest, apacheUser+":"+apacheRealm+":"+hex.EncodeToString(ha1[:])+"\n")
	if strings.Contains(dirBody, "%s") {
		dirBody = fmt.Sprintf(dirBody, htdigest)
	}
	a.configure(t, dirBody)

	a.cmd = exec.Command(bin, "-d", a.dir, "-f", filepath.Join(a.dir, "httpd.conf"), "-DFOREGROUND")
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stop can kill the children if the parent hangs
	a.cmd.Stderr = &a.stderr                                // a config error comes here, before ErrorLog is open
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start apache2: %v", err)
	}
	a.done = make(chan error, 1)
	go func() { a.done <- a.cmd.Wait() }()
	t.Cleanup(a.stop)
	a.waitReady(t)
	return a
}

// configure writes httpd.conf; every path Apache writes to is in a.dir.
func (a *apacheServer) configure(t *testing.T, private string) {
	t.Helper()
	var b strings.Builder
	for _, m := range apacheModules {
		fmt.Fprintf(&b, "LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n", m, m)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "User nobody\nGroup nogroup\n"
	}
	d := a.dir
	fmt.Fprintf(&b, `ServerRoot %[1]q
ServerName 127.0.0.1
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
ErrorLog %[1]s/error.log
LogLevel warn
Mutex file:%[1]s
DefaultRuntimeDir %[1]s
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
%[3]sDocumentRoot %[1]s/www
<Directory %[1]s/www/private>
%[4]s
</Directory>
`, d, a.port, user, private)
	writeFile(t, filepath.Join(d, "httpd.conf"), b.String())
}

// waitReady polls /private/data.txt until Apache answers, for at most 10s.
func (a *apacheServer) waitReady(t *testing.T) {
	t.Helper()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if resp, err := hc.Get(a.base + "/private/data.txt"); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case err := <-a.done:
			a.done <- err
			t.Fatalf("apache2 exited while starting: %v\n%s", err, a.errorLog())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for apache2\n%s", a.errorLog())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop asks Apache to stop (SIGTERM stops its children too) and waits; if
// it hangs, it kills the process group the test created.
func (a *apacheServer) stop() {
	pid := a.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-a.done
	}
}

func (a *apacheServer) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(a.dir, "error.log"))
	return "apache stderr:\n" + a.stderr.String() + "apache error.log:\n" + string(b)
}

// digestCheck is a Digest check of /private/data.txt with every probe a
// Digest credential runs.
func digestCheck(base, password string) checks.Check {
	denied := func(k checks.ProbeKind) checks.ProbeSpec {
		return checks.ProbeSpec{Kind: k, Scheme: "Digest", Realm: apacheRealm}
	}
	return checks.Check{Name: "apache private", Method: "GET", URL: base + "/private/data.txt",
		Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:    checks.Credential{Kind: checks.AuthDigest, Username: apacheUser, Password: password},
		Secrets: []string{password},
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid, Status: []int{200}, BodyContains: apacheBody},
			denied(checks.ProbeMissing), denied(checks.ProbeMalformed), denied(checks.ProbeWrong)}}
}
