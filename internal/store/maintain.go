package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// pruneBatch is how many rows one delete statement removes: small enough
// that the writer never waits long behind maintenance.
const pruneBatch = 2000

// Maintain runs PruneOnce every 10 minutes until ctx is done, logging what
// it did and any error.
func (s *Store) Maintain(ctx context.Context, r Retention, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		n, err := s.PruneOnce(ctx, r)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("storage maintenance", "err", err)
		case n > 0:
			log.Info("storage maintenance", "deleted_rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PruneOnce deletes what retention no longer keeps, in small batches, gives
// the freed pages back to the file system a little at a time and
// checkpoints the WAL. It returns the number of rows deleted.
func (s *Store) PruneOnce(ctx context.Context, r Retention) (int64, error) {
	// Rollups still in memory first: written after the deletes, an old one
	// would come back.
	if err := s.syncRollups(ctx); err != nil {
		return 0, err
	}
	s.pruning.Store(&r) // before any delete: strips are rebuilt, not moved, from now on if it cuts into them
	now := s.now()
	var total int64
	if s.dial == Postgres && r.Raw > 0 {
		if err := s.ensurePartitions(ctx, now); err != nil {
			return 0, err
		}
		n, err := s.dropPartitions(ctx, ms(now.Add(-r.Raw)))
		total += n
		if err != nil {
			return total, err
		}
	}
	for _, step := range s.pruneSteps(now, r) {
		for {
			n, err := s.deleteBatch(ctx, step.query, step.cutoff)
			total += n
			if err != nil {
				return total, fmt.Errorf("prune %s: %w", step.what, err)
			}
			if n < pruneBatch {
				break
			}
		}
	}
	if err := s.pruneEvidence(ctx); err != nil {
		return total, err
	}
	if s.dial == Postgres {
		return total, nil // autovacuum gives the space back
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA incremental_vacuum(2000)`); err != nil {
		return total, fmt.Errorf("incremental vacuum: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return total, fmt.Errorf("checkpoint: %w", err)
	}
	return total, nil
}

type pruneStep struct {
	what   string
	query  string // deletes at most pruneBatch rows older than ?
	cutoff int64
}

func (s *Store) pruneSteps(now time.Time, r Retention) []pruneStep {
	var steps []pruneStep
	add := func(keep time.Duration, what, query string) {
		if keep > 0 {
			steps = append(steps, pruneStep{what, query, ms(now.Add(-keep))})
		}
	}
	limit := fmt.Sprintf(" LIMIT %d)", pruneBatch)
	// A check's state points at a run (check_state.last_run_id): that one stays.
	// On PostgreSQL only the default partition is pruned row by row; the
	// day partitions go whole (dropPartitions), a day after their last run
	// left the window.
	runs := "runs"
	if s.dial == Postgres {
		runs = "runs_default"
	}
	// On SQLite the newest run stays too: a new run must never get the id
	// of a deleted one, or the rollup mark (migration 14) would count it.
	newest := ""
	if s.dial == SQLite {
		newest = ` AND id < (SELECT MAX(id) FROM runs)`
	}
	// A row of folded runs goes once its newest run is out of the window.
	add(r.Raw, "runs", `DELETE FROM `+runs+` WHERE id IN (SELECT id FROM `+runs+` WHERE started_ms < ?1
		AND last_ms < ?1 AND id NOT IN (SELECT last_run_id FROM check_state)`+newest+limit)
	add(r.Raw, "sent notifications", `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
		WHERE (sent_ms IS NOT NULL OR failed = 1) AND created_ms < ?`+limit)
	add(max(r.Raw, r.Hourly), "resolved incidents", `DELETE FROM incidents WHERE id IN (SELECT id FROM incidents
		WHERE resolved_ms != 0 AND resolved_ms < ?`+limit)
	add(r.Hourly, "hourly rollups", `DELETE FROM rollups WHERE (check_id, period, start_ms) IN
		(SELECT check_id, period, start_ms FROM rollups WHERE period = 0 AND start_ms < ?`+limit)
	add(r.Daily, "daily rollups", `DELETE FROM rollups WHERE (check_id, period, start_ms) IN
		(SELECT check_id, period, start_ms FROM rollups WHERE period = 1 AND start_ms < ?`+limit)
	return steps
}

func (s *Store) deleteBatch(ctx context.Context, query string, cutoff int64) (int64, error) {
	res, err := s.w.ExecContext(ctx, query, cutoff)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// pruneEvidence deletes evidence no run points at any more. A check's runs
// only ever point at its latest evidence or newer, so everything older than
// what its oldest run points at can go.
func (s *Store) pruneEvidence(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM evidence WHERE id < COALESCE(
		(SELECT r.evidence_id FROM runs r WHERE r.check_id = evidence.check_id ORDER BY r.started_ms LIMIT 1),
		(SELECT MAX(e2.id) FROM evidence e2 WHERE e2.check_id = evidence.check_id))`)
	if err != nil {
		return fmt.Errorf("prune evidence: %w", err)
	}
	return nil
}

// ErrBackupPostgres is the answer of Backup on PostgreSQL, whose own tools
// take a consistent copy of a running database.
var ErrBackupPostgres = errors.New("backup: the database is PostgreSQL: back it up with pg_dump " +
	"(pg_dump -Fc -d URL -f authmon.dump; restore with pg_restore), not with monitor backup")

// Backup writes a consistent copy of the database to path while the monitor
// keeps running (VACUUM INTO reads one snapshot; writers are not blocked).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dial == Postgres {
		return ErrBackupPostgres
	}
	return BackupFile(ctx, s.path, path)
}

// BackupFile copies the database file at src to dst consistently, whether or
// not a monitor is using it, without migrating it. It uses a connection of
// its own: the writer must not wait for a backup. dst must not exist.
func BackupFile(ctx context.Context, src, dst string) error {
	if IsPostgres(src) {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+escapePath(src)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	return nil
}
