package pgtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Bouncer starts a PgBouncer in transaction mode in front of the database
// at dbURL (a URL from DB) for the life of t, and returns the URL of the
// same database through it. Its pool is two server connections, so
// consecutive transactions of one client land on different sessions: what
// relies on session state breaks here. Skips locally, fails under CI=true,
// without the pgbouncer binary.
func Bouncer(t testing.TB, dbURL string) string {
	t.Helper()
	binary, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr != nil {
			Unavailable(t, fmt.Errorf("pgbouncer not found: %w", err))
		}
		binary = "/usr/sbin/pgbouncer"
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" { // a socket directory in ?host=
		host, port = u.Query().Get("host"), u.Query().Get("port")
	}
	// Not t.TempDir: its parent is private to root, and pgbouncer runs as
	// postgres.
	dir, err := os.MkdirTemp("", "authmon-bouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	listen, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
logfile = %s
`, host, port, listen, filepath.Join(dir, "users.txt"), filepath.Join(dir, "log"))
	user := u.User.Username()
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), fmt.Appendf(nil, "%q \"\"\n", user), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, filepath.Join(dir, "pgbouncer.ini"))
	if err := runAsPostgres(cmd, dir); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("pgbouncer: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // this pgbouncer only, by its pid
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(listen))
	if err := waitListening(addr, 10*time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		t.Fatalf("pgbouncer did not start: %v\n%s", err, log)
	}
	b := *u
	b.Host = addr
	q := b.Query()
	q.Del("host")
	q.Del("port")
	b.RawQuery = q.Encode()
	return b.String()
}

// runAsPostgres makes cmd run as user postgres when we are root (pgbouncer
// refuses root) and hands dir over to it.
func runAsPostgres(cmd *exec.Cmd, dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("no user postgres to run pgbouncer as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return nil
}

func waitListening(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
