//go:build linux

// Package apachetest runs Debian's apache2 with mod_auth_digest for tests:
// a real Digest server, started on a free loopback port from a config in
// t.TempDir() with its own ServerRoot, PidFile and an htdigest file written
// here. Start skips the test when apache2 is not installed, except on CI
// (CI=true), whose .ci/run installs it: there a missing apache2 fails.
package apachetest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The protected resource and its one account.
const (
	Realm    = "authmon-apache"
	User     = "canary"
	Password = "CANARY-apache-digest-7731" // a canary: it must never be recorded
	Body     = "authmon apache digest resource"
	Path     = "/private/data.txt"
)

// Mode is how /private/ is configured.
type Mode int

const (
	// Protected: AuthType Digest (MD5, qop auth), Require valid-user.
	Protected Mode = iota
	// Open: the regression, Require all granted: anyone gets in.
	Open
)

// modules are the modules the generated config loads from Debian's module
// directory: an MPM, the auth stack and nothing else.
var modules = []string{"mpm_event", "authn_core", "authn_file", "authz_core", "authz_user", "auth_digest"}

// Server is one apache2 parent process serving a temporary ServerRoot.
type Server struct {
	URL    string // http://127.0.0.1:PORT
	dir    string
	port   int
	cmd    *exec.Cmd
	done   chan error
	stderr bytes.Buffer
}

// find returns the apache2 binary, or skips (fails on CI) without one.
func find(t testing.TB) string {
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

// Start starts apache2 in the foreground with /private/ configured by
// mode, stopped when the test ends, and waits until it answers.
func Start(t testing.TB, mode Mode) *Server {
	t.Helper()
	bin := find(t)
	s := &Server{dir: t.TempDir(), port: freePort(t)}
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", s.port)
	if os.Geteuid() == 0 {
		// The children drop to nobody, who must reach the 0700 temporary
		// directories Go creates: open them (and only them) for reading.
		for d := s.dir; d != os.TempDir() && strings.HasPrefix(d, os.TempDir()); d = filepath.Dir(d) {
			_ = os.Chmod(d, 0o755)
		}
	}
	if err := os.MkdirAll(filepath.Join(s.dir, "www/private"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(s.dir, "www", Path), Body+"\n")
	ha1 := md5.Sum([]byte(User + ":" + Realm + ":" + Password))
	htdigest := filepath.Join(s.dir, "htdigest")
	write(t, htdigest, User+":"+Realm+":"+hex.EncodeToString(ha1[:])+"\n")
	private := "Require all granted"
	if mode == Protected {
		private = fmt.Sprintf("AuthType Digest\nAuthName %q\nAuthDigestDomain /private/\nAuthDigestProvider file\nAuthUserFile %q\nRequire valid-user", Realm, htdigest)
	}
	s.configure(t, private)

	s.cmd = exec.Command(bin, "-d", s.dir, "-f", filepath.Join(s.dir, "httpd.conf"), "-DFOREGROUND")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stop can kill the children if the parent hangs
	s.cmd.Stderr = &s.stderr                                // a config error comes here, before ErrorLog is open
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start apache2: %v", err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(s.stop)
	s.waitReady(t)
	return s
}

// configure writes httpd.conf; every path Apache writes to is in s.dir.
func (s *Server) configure(t testing.TB, private string) {
	t.Helper()
	var b strings.Builder
	for _, m := range modules {
		fmt.Fprintf(&b, "LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n", m, m)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "User nobody\nGroup nogroup\n"
	}
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
`, s.dir, s.port, user, private)
	write(t, filepath.Join(s.dir, "httpd.conf"), b.String())
}

// waitReady polls the resource until Apache answers, for at most 10s.
func (s *Server) waitReady(t testing.TB) {
	t.Helper()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if resp, err := hc.Get(s.URL + Path); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("apache2 exited while starting: %v\n%s", err, s.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for apache2\n%s", s.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop asks Apache to stop (SIGTERM stops its children too) and waits; if
// it hangs, it kills the process group Start created.
func (s *Server) stop() {
	pid := s.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-s.done
	}
}

// Log is Apache's stderr and error log, for a failing test's message.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "error.log"))
	return "apache stderr:\n" + s.stderr.String() + "apache error.log:\n" + string(b)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
