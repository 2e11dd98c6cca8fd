// Package store keeps check runs, alert state and the notification outbox in
// one SQLite file (modernc.org/sqlite, pure Go), or in a PostgreSQL database
// shared by several monitors (pgx; see dialect.go).
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/authmon/monitor/internal/alert"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Store is the SQLite store. Writes go through one connection, so they never
// contend for the lock; reads use their own pool, so the dashboard never waits
// behind a write (WAL lets readers run beside the writer).
type Store struct {
	w    *sql.DB // exactly one connection
	r    *sql.DB // read-only pool
	now  func() time.Time
	path string // the file, or the redacted URL on PostgreSQL
	dsn  string // the database setting as given
	dial Dialect

	writes     chan writeReq // to the writer goroutine (RecordRun)
	closing    chan struct{}
	writerDone chan struct{}
	// Caches owned by the writer goroutine, filled as batches commit.
	checkIDs      map[string]int64
	states        map[string]alert.State
	lastEvidence  map[int64]evidenceRef
	rollups       map[rollSlot]cachedRollup // the current hour and day of each check
	pending       map[rollKey]*rollAgg      // rollups merged in memory, not yet written (SQLite)
	pendingLatest map[int64]*latestRun      // each check's newest run since, for check_latest
	pendingSpans  map[int64]*recentSpan     // what those runs reached, for check_recent
	lastRun       int64                     // the newest run id written
	syncs         chan chan error           // to the writer: write the pending rollups now
	outboxGen     atomic.Uint64             // outbox writes committed (outboxChanged)
	idle          outboxIdle                // NextDue's memory of an empty outbox (SQLite)
	recentAt      map[int64]int64           // the hour of each check's recent-history strip
	stmts         map[string]*sql.Stmt
	pruning       atomic.Pointer[Retention] // what PruneOnce last applied (shiftStrip)
	scratch       *batchWriter              // the writer goroutine's, reused batch after batch (batchWriter)
	instance      instanceID                // this process in a fleet (SetInstance)
	folds         map[int64]*foldTail       // each check's latest row while it may take more runs (fold.go)
	closedFolds   []*foldTail               // ended tails whose counters are still to be written
	foldOff       atomic.Bool               // SetFolding(false)
	foldedRuns    atomic.Int64              // runs folded since Open (LatestRunID)
	foldsDirty    atomic.Bool               // some fold counters are not written yet (syncFolds)
}

// Open opens (creating if needed) and migrates the database at path: a
// SQLite file, or a PostgreSQL URL (postgres:// or postgresql://).
func Open(ctx context.Context, path string) (*Store, error) {
	if IsPostgres(path) {
		return openPG(ctx, path)
	}
	// synchronous=NORMAL in WAL mode loses at most the last transactions on a
	// power cut, never corrupts, and is ~5x faster than FULL here.
	// auto_vacuum=INCREMENTAL (effective for new files) lets maintenance give
	// deleted pages back in small steps; journal_size_limit bounds the WAL
	// file left after a checkpoint.
	pragmas := "_pragma=auto_vacuum(INCREMENTAL)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=journal_size_limit(67108864)"
	w, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open db: %w", err)
	}
	w.SetMaxOpenConns(1)
	s := newStore(w, path, path, SQLite)
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open db for reading: %w", err)
	}
	r.SetMaxOpenConns(4)
	s.r = r
	if err := s.recoverRollups(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	go s.writer()
	return s, nil
}

func newStore(w *sql.DB, path, dsn string, dial Dialect) *Store {
	return &Store{w: w, now: time.Now, path: path, dsn: dsn, dial: dial, writes: make(chan writeReq),
		closing: make(chan struct{}), writerDone: make(chan struct{}), checkIDs: map[string]int64{},
		states: map[string]alert.State{}, lastEvidence: map[int64]evidenceRef{}, rollups: map[rollSlot]cachedRollup{},
		stmts: map[string]*sql.Stmt{}, recentAt: map[int64]int64{}, pending: map[rollKey]*rollAgg{},
		pendingLatest: map[int64]*latestRun{}, pendingSpans: map[int64]*recentSpan{},
		folds: map[int64]*foldTail{},
		syncs: make(chan chan error)}
}

// openPG opens a PostgreSQL store. One pool serves the writer and the
// readers: the server runs them side by side.
func openPG(ctx context.Context, dsn string) (*Store, error) {
	db, err := openPostgres(ctx, dsn, 8)
	if err != nil {
		return nil, err
	}
	s := newStore(db, Redact(dsn), dsn, Postgres)
	s.r = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", s.path, redactErr(err, dsn))
	}
	if err := s.ensurePartitions(ctx, s.now()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", s.path, redactErr(err, dsn))
	}
	go s.writer()
	return s, nil
}

// Dialect says which engine the store runs on.
func (s *Store) Dialect() Dialect { return s.dial }

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// Close stops the writer, checkpoints the WAL and closes both pools.
func (s *Store) Close() error {
	if s.closing != nil {
		close(s.closing)
		<-s.writerDone
		s.closing = nil
		for _, st := range s.stmts {
			if st != nil {
				st.Close()
			}
		}
		s.idle.mu.Lock()
		if s.idle.stmt != nil {
			s.idle.stmt.Close()
			s.idle.stmt = nil
		}
		s.idle.mu.Unlock()
	}
	if s.dial == Postgres {
		return s.w.Close()
	}
	_, _ = s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	rerr := s.r.Close()
	if err := s.w.Close(); err != nil {
		return fmt.Errorf("close db: %w", err)
	}
	return rerr
}

// migrate applies every embedded migration newer than the database's
// version, each in its own transaction, and refuses a database written by a
// newer version of the monitor.
func (s *Store) migrate(ctx context.Context) error {
	if s.dial == Postgres {
		return s.migratePG(ctx)
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	files, err := migrations(s.dial)
	if err != nil {
		return err
	}
	if err := checkVersion(current, len(files)); err != nil {
		return err
	}
	for v := current + 1; v <= len(files); v++ {
		if err := s.applyMigration(ctx, v, files[v-1]); err != nil {
			return err
		}
	}
	return nil
}

func checkVersion(current, latest int) error {
	if current > latest {
		return fmt.Errorf("database schema version %d is newer than this monitor supports (%d): upgrade the monitor or restore a backup", current, latest)
	}
	return nil
}

// migrations returns the dialect's embedded SQL files ordered by their
// numeric prefix, checking that versions run 1..n without gaps. Both
// dialects have the same versions, so a version means one schema.
func migrations(d Dialect) ([]string, error) {
	dir := "migrations/sqlite/"
	if d == Postgres {
		dir = "migrations/postgres/"
	}
	names, err := fs.Glob(migrationFiles, dir+"*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for i, n := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(n, dir), "_", 2)[0])
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("migrate: migration %s out of sequence", n)
		}
	}
	return names, nil
}

func (s *Store) applyMigration(ctx context.Context, version int, name string) error {
	body, err := migrationFiles.ReadFile(name)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if fix := migrationCode[version]; fix != nil {
		if err := fix(ctx, tx); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)`,
		version, s.now().UnixMilli()); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	return nil
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMs(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// Retention says how long each kind of history is kept; zero keeps it
// forever. Incidents and the evidence of failures are kept at least as long
// as the raw runs.
type Retention struct {
	Raw    time.Duration // individual runs (default 30 days)
	Hourly time.Duration // hourly rollups (default 1 year)
	Daily  time.Duration // daily rollups (default forever)
}

// DefaultRetention is the retention of a config that sets none.
var DefaultRetention = Retention{Raw: 30 * 24 * time.Hour, Hourly: 365 * 24 * time.Hour}
