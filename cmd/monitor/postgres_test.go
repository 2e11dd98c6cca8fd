package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/authmon/monitor/internal/pgtest"
)

// dbCanary is the password in the PostgreSQL URL the monitor is given. The
// test cluster trusts loopback connections, so the server never asks for
// it; it must appear nowhere the monitor writes.
const dbCanary = "CANARY-db-pw-8830"

func withPassword(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), dbCanary)
	return u.String()
}

// TestServeOnPostgres: `monitor serve -db postgres://…` runs a check, its
// run is in PostgreSQL, the dashboard shows it, /readyz says what is wrong
// when the database turns read-only, and the URL's password appears in no
// log line or page.
func TestServeOnPostgres(t *testing.T) {
	t.Setenv("E2E_PASSWORD", canaryPassword)
	ctx := context.Background()
	dir := t.TempDir()
	tg, sl := newTarget(t), newSlack(t)
	cfgPath := writeConfig(t, dir, tg.srv.URL+"/me", sl.srv.URL)
	db := withPassword(t, pgtest.DB(t))

	m := startMonitor(t, cfgPath, db)
	waitFor(t, "the check to pass", func() bool { return strings.Contains(m.get(t, "/"), "✔ passing") })
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var runs int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM runs r JOIN check_names c ON c.id = r.check_id
		WHERE c.name = 'e2e login' AND r.passed = 1`).Scan(&runs); err != nil || runs == 0 {
		t.Fatalf("passing runs in PostgreSQL: %d, %v", runs, err)
	}
	page := m.get(t, "/") + m.get(t, "/checks/e2e%20login") + m.get(t, "/readyz")
	if !strings.Contains(page, `data-testid="run"`) {
		t.Error("the check's page lists no run")
	}

	// A database that turns read-only (a failed-over standby, say).
	name := conn.Config().Database
	for _, q := range []string{`ALTER DATABASE ` + name + ` SET default_transaction_read_only = on`,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '` + name + `' AND pid <> pg_backend_pid()`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "/readyz to say the database is read-only", func() bool {
		resp, err := http.Get(m.addr + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		page += string(b)
		return resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(b), "PostgreSQL read-only")
	})
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+name+` RESET default_transaction_read_only`); err != nil {
		t.Fatal(err)
	}
	m.stop(t)
	logs := m.logs.String()
	for where, text := range map[string]string{"log": logs, "pages": page} {
		if strings.Contains(text, dbCanary) {
			t.Errorf("the database password appears in the %s", where)
		}
	}
	if !strings.Contains(logs, "postgres://") {
		t.Error("the log does not say which database (redacted) it uses")
	}
}

// TestServePostgresDown: a monitor whose database cannot be reached does not
// start, says why, and keeps the URL's password out of what it prints.
func TestServePostgresDown(t *testing.T) {
	dir := t.TempDir()
	tg, sl := newTarget(t), newSlack(t)
	cfgPath := writeConfig(t, dir, tg.srv.URL+"/me", sl.srv.URL)
	t.Setenv("E2E_PASSWORD", canaryPassword)
	port, err := pgtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	db := "postgres://authmon:" + dbCanary + "@127.0.0.1:" + itoa(port) + "/authmon?connect_timeout=2"
	var out strings.Builder
	code := run(context.Background(), []string{"serve", "-config", cfgPath, "-db", db, "-listen", "127.0.0.1:0"}, io.Discard, &out)
	t.Log(out.String())
	if code != exitFailed {
		t.Fatalf("serve on an unreachable database exited %d, want %d\n%s", code, exitFailed, out.String())
	}
	if strings.Contains(out.String(), dbCanary) {
		t.Errorf("the database password appears in the output:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "127.0.0.1:"+itoa(port)) {
		t.Errorf("the output does not say which server failed:\n%s", out.String())
	}
}

// TestBackupOnPostgres: `monitor backup` on a PostgreSQL URL says to use
// pg_dump, without the password.
func TestBackupOnPostgres(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"backup", "-db", "postgres://u:" + dbCanary + "@db.example/authmon", "x.dump"}, &stdout, &stderr)
	if code != exitConfig || !strings.Contains(stderr.String(), "pg_dump") || strings.Contains(stderr.String(), dbCanary) {
		t.Fatalf("backup on PostgreSQL: exit %d, %q", code, stderr.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
