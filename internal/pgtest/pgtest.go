// Package pgtest gives tests a fresh PostgreSQL database each: the server
// named by AUTHMON_TEST_PG (a DSN or URL) when set, otherwise a throwaway
// cluster this package starts itself with the Debian PostgreSQL binaries
// (initdb + pg_ctl, as user postgres when run as root: PostgreSQL refuses
// to run as root). Without either, tests skip locally and fail under
// CI=true, so CI can never pass by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env names the server tests use instead of starting one.
const Env = "AUTHMON_TEST_PG"

// Cluster is a running PostgreSQL server: the one of Env, or one started here.
type Cluster struct {
	Admin string // a URL of the postgres database as a superuser
	Host  string // socket directory or host
	Port  int
	stop  func() error
	ctl   func(args ...string) error // pg_ctl on this cluster's data directory
	opts  string                     // the server's options (StartServer)
	log   string                     // the server's log file
}

var (
	mu      sync.Mutex
	cluster *Cluster
	failed  error // why no cluster could be had
)

// Get returns the cluster, starting one on first use.
func Get() (*Cluster, error) {
	mu.Lock()
	defer mu.Unlock()
	if cluster != nil || failed != nil {
		return cluster, failed
	}
	if dsn := os.Getenv(Env); dsn != "" {
		cluster = &Cluster{Admin: dsn}
		return cluster, nil
	}
	cluster, failed = start()
	return cluster, failed
}

// Stop stops the cluster this package started, if any (call it from
// TestMain after m.Run). A server named by Env is left alone.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if cluster != nil && cluster.stop != nil {
		if err := cluster.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stop:", err)
		}
	}
	cluster = nil
}

// Unavailable skips t (locally) or fails it (CI=true) with why.
func Unavailable(t testing.TB, why error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL tests must run in CI, but: %v", why)
	}
	t.Skipf("no PostgreSQL (set %s or install postgresql): %v", Env, why)
}

// DB creates a fresh database for t, dropped when t ends, and returns its
// URL.
func DB(t testing.TB) string {
	t.Helper()
	c, err := Get()
	if err != nil {
		Unavailable(t, err)
	}
	name := "t_" + random()
	ctx := context.Background()
	if err := c.exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		_ = c.exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return c.URL(name)
}

// URL is the URL of database name on the cluster.
func (c *Cluster) URL(name string) string {
	cfg, err := pgx.ParseConfig(c.Admin)
	if err != nil {
		panic(err)
	}
	u := url.URL{Scheme: "postgres", User: url.User(cfg.User), Path: "/" + name}
	if cfg.Password != "" {
		u.User = url.UserPassword(cfg.User, cfg.Password)
	}
	q := url.Values{}
	if filepath.IsAbs(cfg.Host) {
		q.Set("host", cfg.Host)
		q.Set("port", strconv.Itoa(int(cfg.Port)))
	} else {
		u.Host = net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	}
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String()
}

func (c *Cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.Admin)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func random() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// bin finds a PostgreSQL server binary (Debian keeps them off PATH).
func bin(name string) (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return exec.LookPath(name)
}

// FreePort returns a loopback TCP port nobody listens on now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// asPostgres runs a command as user postgres when we are root.
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func start() (*Cluster, error) {
	initdb, err := bin("initdb")
	if err != nil {
		return nil, fmt.Errorf("initdb not found: %w", err)
	}
	pgctl, err := bin("pg_ctl")
	if err != nil {
		return nil, fmt.Errorf("pg_ctl not found: %w", err)
	}
	dir, err := os.MkdirTemp("", "authmon-pg-")
	if err != nil {
		return nil, err
	}
	if err := handOver(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := asPostgres(initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses=127.0.0.1 -p %d -c fsync=off -c synchronous_commit=off "+
		"-c full_page_writes=off -c shared_buffers=32MB -c max_connections=200", dir, port)
	if out, err := asPostgres(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s%s", err, out, log)
	}
	c := &Cluster{Host: "127.0.0.1", Port: port, opts: opts, log: filepath.Join(dir, "log"),
		Admin: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)}
	c.ctl = func(args ...string) error {
		if out, err := asPostgres(pgctl, append([]string{"-D", data}, args...)...).CombinedOutput(); err != nil {
			return fmt.Errorf("pg_ctl %v: %v: %s", args, err, out)
		}
		return nil
	}
	c.stop = func() error {
		defer os.RemoveAll(dir)
		if out, err := asPostgres(pgctl, "-D", data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
		}
		return nil
	}
	return c, nil
}

// Private starts a cluster of t's own, stopped when t ends, for a test
// that stops and starts the server (a shared one would break the others).
// It needs the PostgreSQL binaries even when Env names a server.
func Private(t testing.TB) *Cluster {
	t.Helper()
	c, err := start()
	if err != nil {
		Unavailable(t, err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Log(err)
		}
	})
	return c
}

// StopServer stops a Private cluster's server (fast shutdown: sessions are
// cut, as in a crash or a failover); StartServer starts it again.
func (c *Cluster) StopServer() error { return c.ctl("-m", "fast", "-w", "stop") }

// StartServer starts a cluster's server that StopServer stopped, with the
// options it had.
func (c *Cluster) StartServer() error {
	return c.ctl("-o", c.opts, "-l", c.log, "-w", "-t", "60", "start")
}

// handOver makes dir usable by user postgres when we are root; os.MkdirTemp
// creates it 0700 under a /tmp that postgres can traverse.
func handOver(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("no user postgres to run the server as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}
