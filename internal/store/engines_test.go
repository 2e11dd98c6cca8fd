package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster the tests started, if they did.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// engines runs test once per engine, as subtests named after them, so
// that every store test covers SQLite and PostgreSQL.
func engines(t *testing.T, test func(t *testing.T)) {
	t.Helper()
	t.Run("sqlite", test)
	t.Run("postgres", test)
}

// onPostgres reports whether t (or a test it belongs to) runs on PostgreSQL.
func onPostgres(t testing.TB) bool {
	return strings.Contains(t.Name(), "/postgres")
}

// tempDB returns where a test's database lives: a file in a temporary
// directory, or a fresh PostgreSQL database (pgtest).
func tempDB(t testing.TB) string {
	t.Helper()
	if onPostgres(t) {
		return pgtest.DB(t)
	}
	return filepath.Join(t.TempDir(), "monitor.db")
}

// sqliteOnly skips the PostgreSQL run of a test about the SQLite file.
func sqliteOnly(t *testing.T, why string) {
	t.Helper()
	if onPostgres(t) {
		t.Skip("SQLite only: " + why)
	}
}
