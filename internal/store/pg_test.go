package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/pgtest"
)

// TestPgBouncerTransactionMode opens the store through PgBouncer in
// transaction mode (two server connections shared by every client) and
// runs the migration, writes and reads, an incident opened and resolved,
// and the outbox: nothing may rely on session state.
func TestPgBouncerTransactionMode(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Bouncer(t, pgtest.DB(t))
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	kinds := []alert.Kind{}
	for i, status := range []int{401, 200, 200, 401, 401} {
		_, evs, err := s.RecordRun(ctx, result("api", t0.Add(time.Duration(i)*time.Minute), status), decide)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if len(evs) > 0 {
			kinds = append(kinds, evs[0].Kind)
		}
	}
	if len(kinds) != 2 || kinds[0] != alert.KindOpened || kinds[1] != alert.KindResolved {
		t.Fatalf("events = %v, want opened, resolved", kinds)
	}
	if runs, err := s.Runs(ctx, "api", 10); err != nil || len(runs) != 5 {
		t.Fatalf("runs = %d, %v", len(runs), err)
	}
	if marks, err := s.RunMarks(ctx, []string{"api"}, 10); err != nil || len(marks["api"]) != 5 {
		t.Fatalf("run marks = %v, %v", marks, err)
	}
	later := time.Now().Add(time.Hour)
	d, err := s.NextDue(ctx, later)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, d.ID, later, alert.Thread{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Writable(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(ctx, url); err != nil { // migrated already: nothing to do
		t.Fatal(err)
	}
	if ov, err := s.Overview(ctx); err != nil || len(ov) != 1 || ov[0].State.Status != alert.StatusPassing {
		t.Fatalf("overview after reopening = %+v, %v", ov, err)
	}
}

// TestMigrateOnce: monitors opening one fresh database at once migrate it
// once (pg_advisory_xact_lock in the migration's transaction); the others
// wait and find it done.
func TestMigrateOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*Store, n)
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var rows, distinct int
	if err := stores[0].r.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).
		Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	files, _ := migrations(Postgres)
	if rows != len(files) || distinct != len(files) {
		t.Fatalf("schema_migrations holds %d rows (%d versions), want %d: migrated more than once", rows, distinct, len(files))
	}
}

// TestOneOpenIncidentPerCheck: the database refuses a second open incident
// for a check, whoever writes it (the unique partial index); a resolved one
// does not count.
func TestOneOpenIncidentPerCheck(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	save := func(inc *alert.Incident) error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := saveIncident(ctx, tx, inc); err != nil {
			return err
		}
		return tx.Commit()
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first := &alert.Incident{Check: "api", Opened: t0}
	if err := save(first); err != nil {
		t.Fatal(err)
	}
	err = save(&alert.Incident{Check: "api", Opened: t0.Add(time.Second)})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.ConstraintName != "incidents_one_open" {
		t.Fatalf("a second open incident for one check: %v, want a unique violation of incidents_one_open", err)
	}
	if err := save(&alert.Incident{Check: "other", Opened: t0}); err != nil {
		t.Fatalf("an open incident of another check: %v", err)
	}
	first.Resolved = t0.Add(time.Minute)
	if err := save(first); err != nil {
		t.Fatal(err)
	}
	if err := save(&alert.Incident{Check: "api", Opened: t0.Add(2 * time.Minute)}); err != nil {
		t.Fatalf("a new incident after the first resolved: %v", err)
	}
	var open int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents WHERE resolved_ms = 0`).Scan(&open); err != nil {
		t.Fatal(err)
	}
	if open != 2 {
		t.Fatalf("open incidents = %d, want 2", open)
	}
}

// TestRetentionDropsPartitions: on PostgreSQL, retention drops the day
// partitions of runs wholly older than the window, keeps the one holding
// the run a check's state points at, and creates days ahead.
func TestRetentionDropsPartitions(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	s.now = func() time.Time { return now }
	for d := range 40 { // a passing run a day, a bypass on day 5: state last changed on day 6
		now = start.Add(time.Duration(d) * 24 * time.Hour)
		if err := s.ensurePartitions(ctx, now); err != nil {
			t.Fatal(err)
		}
		status := 401
		if d == 5 {
			status = 200
		}
		record(t, s, "api", now.Add(time.Hour), status, time.Millisecond)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM runs_default`); n != 0 {
		t.Fatalf("%d runs in the default partition, want all in day partitions", n)
	}
	now = start.Add(50 * 24 * time.Hour)
	if _, err := s.PruneOnce(ctx, Retention{Raw: 30 * 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	partitions := func(where string) int {
		return count(t, s, `SELECT COUNT(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'runs'::regclass AND `+where)
	}
	// Days 0..19 end by the cutoff (day 20): dropped, but for the one
	// holding the run the check's state points at.
	if n := partitions(`c.relname < 'runs_20260121'`); n != 1 {
		t.Fatalf("%d partitions older than the window left, want 1 (the state's run's)", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM runs WHERE id = (SELECT last_run_id FROM check_state)`); n != 1 {
		t.Fatal("the partition holding the state's run was dropped")
	}
	if n := partitions(`c.relname = 'runs_20260223'`); n != 1 { // now + partitionsAhead
		t.Fatal("no partitions created ahead")
	}
	if n := count(t, s, `SELECT COUNT(*) FROM runs`); n != 21 { // days 20..39 and the state's run
		t.Fatalf("%d runs kept, want 21", n)
	}
	record(t, s, "api", now, 401, time.Millisecond)
	if n := count(t, s, `SELECT COUNT(*) FROM runs_20260220`); n != 1 {
		t.Fatal("today's run is not in today's partition")
	}
}
