package store

import (
	"context"
	"fmt"
	"time"
)

// On PostgreSQL the runs table is partitioned by day of started_ms
// (runs_YYYYMMDD, UTC), so that retention drops a whole day's table rather
// than deleting its rows one by one: no dead tuples, no vacuum debt. The
// default partition (runs_default) takes whatever falls outside them, such
// as seeded or late history, and is pruned row by row as on SQLite.

// partitionsAhead is how many days of partitions exist beyond today:
// maintenance runs every 10 minutes, so a day's partition is always there
// before its first run, even after a few days without maintenance.
const partitionsAhead = 3

// partitionLock serializes partition changes among monitors sharing the
// database (a transaction-level lock: PgBouncer-safe).
const partitionLock = migrateLock + 1

func partitionName(dayStart int64) string {
	return "runs_" + time.UnixMilli(dayStart).UTC().Format("20060102")
}

// ensurePartitions creates the partitions of the days from now to
// partitionsAhead days later that do not exist yet. A day for which the
// default partition already holds runs is left there: PostgreSQL refuses
// a partition whose rows sit in the default one.
func (s *Store) ensurePartitions(ctx context.Context, now time.Time) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("partitions: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(partitionLock)); err != nil {
		return fmt.Errorf("partitions: lock: %w", err)
	}
	today := now.UnixMilli() / dayMs * dayMs
	for d := range partitionsAhead + 1 {
		from := today + int64(d)*dayMs
		var blocked bool
		if err := tx.QueryRowContext(ctx, `SELECT to_regclass(?) IS NOT NULL
			OR EXISTS (SELECT 1 FROM runs_default WHERE started_ms >= ? AND started_ms < ?)`,
			partitionName(from), from, from+dayMs).Scan(&blocked); err != nil {
			return fmt.Errorf("partitions: %w", err)
		}
		if blocked {
			continue
		}
		// DDL takes no parameters; the bounds are integers we computed.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE %s PARTITION OF runs FOR VALUES FROM (%d) TO (%d)`,
			partitionName(from), from, from+dayMs)); err != nil {
			return fmt.Errorf("partitions: create %s: %w", partitionName(from), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("partitions: %w", err)
	}
	return nil
}

// dropPartitions drops the day partitions wholly older than cutoff and
// returns how many runs went with them. A partition holding the run a
// check's state points at (check_state.last_run_id) is kept; the row-wise
// step prunes the rest of it.
func (s *Store) dropPartitions(ctx context.Context, cutoff int64) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("drop partitions: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(partitionLock)); err != nil {
		return 0, fmt.Errorf("drop partitions: lock: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'runs'::regclass AND c.relname ~ '^runs_[0-9]{8}$' ORDER BY c.relname`)
	if err != nil {
		return 0, fmt.Errorf("drop partitions: %w", err)
	}
	var old []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, fmt.Errorf("drop partitions: %w", err)
		}
		day, err := time.Parse("20060102", name[len("runs_"):])
		if err == nil && day.UnixMilli()+dayMs <= cutoff {
			old = append(old, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("drop partitions: %w", err)
	}
	var total int64
	for _, name := range old {
		var n int64
		var pinned bool
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*),
			COALESCE(BOOL_OR(id IN (SELECT last_run_id FROM check_state)), false) FROM %s`, name)).Scan(&n, &pinned); err != nil {
			return total, fmt.Errorf("drop partitions: %s: %w", name, err)
		}
		if pinned {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+name); err != nil {
			return total, fmt.Errorf("drop partitions: %s: %w", name, err)
		}
		total += n
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("drop partitions: %w", err)
	}
	return total, nil
}
