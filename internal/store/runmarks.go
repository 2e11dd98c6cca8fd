package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// RunMark is one run as a bar of the overview shows it: when, whether it
// passed, and how bad its worst failure was.
type RunMark struct {
	ID       int64
	Started  time.Time
	Passed   bool
	Severity checks.Severity // SevNone for a passing run
	// Runs is how many runs the mark's row stands for (fold.go) and Last
	// when the newest of them started: a row of n folded runs gives up to n
	// marks, each saying so.
	Runs int64
	Last time.Time
}

// RunMarks returns the latest n runs of each named check, newest first. It
// reads the compact run rows and, for failed runs only, their compact
// verdict: a passing run costs one index entry, not its evidence. All the
// checks' queries share one connection and one prepared statement: under
// many concurrent readers, taking a pooled connection per check queued the
// page behind every other request.
func (s *Store) RunMarks(ctx context.Context, names []string, n int) (map[string][]RunMark, error) {
	out := make(map[string][]RunMark, len(names))
	if len(names) == 0 {
		return out, nil
	}
	if err := s.syncFolds(ctx); err != nil {
		return nil, err
	}
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("run marks: %w", err)
	}
	defer conn.Close()
	query := func(ctx context.Context, args ...any) (*sql.Rows, error) {
		return conn.QueryContext(ctx, runMarksQuery, args...)
	}
	if s.dial == SQLite { // PostgreSQL: no named statements (PgBouncer)
		st, err := conn.PrepareContext(ctx, runMarksQuery)
		if err != nil {
			return nil, fmt.Errorf("run marks: %w", err)
		}
		defer st.Close()
		query = st.QueryContext
	}
	for _, name := range names {
		marks, err := runMarks(ctx, query, name, n)
		if err != nil {
			return nil, err
		}
		out[name] = marks
	}
	return out, nil
}

const runMarksQuery = `SELECT r.id, r.started_ms, r.passed, r.repeats, r.last_ms,
	CASE WHEN r.passed <> 0 THEN '' WHEN e.verdict = '' THEN e.probes_json ELSE e.verdict END
	FROM runs r JOIN evidence e ON e.id = r.evidence_id
	WHERE r.check_id = (SELECT id FROM check_names WHERE name = ?)
	ORDER BY r.started_ms DESC, r.id DESC LIMIT ?`

func runMarks(ctx context.Context, query func(context.Context, ...any) (*sql.Rows, error), name string, n int) ([]RunMark, error) {
	rows, err := query(ctx, name, n)
	if err != nil {
		return nil, fmt.Errorf("run marks of %s: %w", name, err)
	}
	defer rows.Close()
	marks := make([]RunMark, 0, n)
	for rows.Next() && len(marks) < n {
		var m RunMark
		var started, repeats, last int64
		var verdict string
		if err := rows.Scan(&m.ID, &started, &m.Passed, &repeats, &last, &verdict); err != nil {
			return nil, fmt.Errorf("run marks of %s: %w", name, err)
		}
		m.Started, m.Runs, m.Last = fromMs(started), 1+repeats, fromMs(max(started, last))
		if !m.Passed {
			var probes []checks.ProbeResult
			if err := json.Unmarshal([]byte(verdict), &probes); err != nil {
				return nil, fmt.Errorf("run marks of %s: run %d: %w", name, m.ID, err)
			}
			m.Severity = checks.Result{Probes: probes}.Severity()
		}
		for range min(m.Runs, int64(n-len(marks))) {
			marks = append(marks, m)
		}
	}
	return marks, rows.Err()
}
