package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// migrationCode runs after a migration's SQL, in its transaction, for what
// SQL cannot do.
var migrationCode = map[int]func(ctx context.Context, tx *sql.Tx) error{
	4: backfillRollups,
	6: backfillRecent,
}

// backfillRollups builds the rollups of the runs that predate them.
func backfillRollups(ctx context.Context, tx *sql.Tx) error {
	return foldRuns(ctx, tx, `1 = 1`)
}

// foldRuns adds the runs that match where to the stored rollups.
func foldRuns(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	rows, err := tx.QueryContext(ctx, `SELECT check_id, started_ms, duration_us, passed FROM runs WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("backfill rollups: %w", err)
	}
	w := &batchWriter{tx: tx, roll: map[rollKey]*rollAgg{}}
	for rows.Next() {
		var id, started, us int64
		var passed bool
		if err := rows.Scan(&id, &started, &us, &passed); err != nil {
			rows.Close()
			return fmt.Errorf("backfill rollups: %w", err)
		}
		res := checks.Result{Started: fromMs(started), Duration: time.Duration(us) * time.Microsecond}
		if !passed {
			res.Probes = []checks.ProbeResult{{Assertions: []checks.Assertion{{Pass: false}}}}
		}
		w.rollup(id, res)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill rollups: %w", err)
	}
	return w.flushRollups()
}
