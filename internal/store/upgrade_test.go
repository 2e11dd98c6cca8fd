package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestUpgradeFromVersion1 builds a database the way version 1 of the schema
// left it, with a failing check and a pending alert, and opens it with the
// current code: nothing is lost, and the failing check does not alert again
// but resolves its incident when it recovers.
func TestUpgradeFromVersion1(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		sqliteOnly(t, "an upgrade of a SQLite file written by version 1")
		path := filepath.Join(t.TempDir(), "v1.db")
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		v1, _ := migrationFiles.ReadFile("migrations/sqlite/0001_init.sql")
		since := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
		for _, q := range []string{
			`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)`,
			string(v1),
			`INSERT INTO schema_migrations VALUES (1, 0)`,
			`INSERT INTO runs VALUES (1, 'api', 1767322800000, 12, 0, 'critical-security', 'bypass', '[]')`,
			`INSERT INTO check_state VALUES ('api', 'failing', 1767322800000, 'critical-security', 'missing/B1', 1)`,
			`INSERT INTO outbox (check_name, event_json, created_ms, next_try_ms)
			VALUES ('api', '{"kind":"regressed","check":"api","severity":"critical-security"}', 1, 1)`,
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()

		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		st, err := s.State(ctx, "api")
		if err != nil || st.Status != alert.StatusFailing || st.Incident == nil || !st.Incident.Announced || !st.Incident.Opened.Equal(since) {
			t.Fatalf("upgraded state = %+v, %v", st, err)
		}
		d, err := s.NextDue(ctx, time.Now())
		if err != nil || d.Event.Kind != alert.KindOpened {
			t.Fatalf("pending v1 alert = %+v, %v", d, err)
		}
		if runs, err := s.Runs(ctx, "api", 5); err != nil || len(runs) != 1 {
			t.Fatalf("runs = %d, %v", len(runs), err)
		}
		// Still failing: no second alert. Recovered: one resolution.
		_, evs, err := s.RecordRun(ctx, result("api", since.Add(time.Minute), 200), decide)
		if err != nil || len(evs) != 0 {
			t.Fatalf("still failing after upgrade: events %+v, %v", evs, err)
		}
		_, evs, err = s.RecordRun(ctx, result("api", since.Add(2*time.Minute), 401), decide)
		if err != nil || len(evs) != 1 || evs[0].Kind != alert.KindResolved || evs[0].IncidentID == 0 {
			t.Fatalf("recovery after upgrade: events %+v, %v", evs, err)
		}
	})
}
