package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RunQuery selects one page of a check's runs, newest first.
type RunQuery struct {
	// Before, when set, keeps only runs older than that run: the keyset of
	// the next page is the last run of the previous one, so paging stays
	// correct (and fast) while new runs arrive.
	Before int64
	// From and To bound when the runs started: From inclusive, To exclusive;
	// a zero time leaves that side open.
	From, To time.Time
	Limit    int // at least 1
}

// RunPage is one page of runs, newest first.
type RunPage struct {
	Runs []Run
	// More says that older runs match the query too: the next page is the
	// same query with Before set to the last run's ID.
	More bool
}

// RunsPage returns the page of a check's runs that q selects. A Before that
// names no run of this check is ErrNotFound, so a stale link says so rather
// than showing an empty page.
func (s *Store) RunsPage(ctx context.Context, check string, q RunQuery) (RunPage, error) {
	limit := max(q.Limit, 1)
	if err := s.syncFolds(ctx); err != nil {
		return RunPage{}, err
	}
	where, args, err := s.runsWhere(ctx, check, q)
	if err != nil {
		return RunPage{}, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+runColumns+` FROM runs r`+runJoins+`
		WHERE `+where+`
		ORDER BY r.started_ms DESC, r.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return RunPage{}, fmt.Errorf("runs page: %w", err)
	}
	defer rows.Close()
	var page RunPage
	for rows.Next() {
		run, err := scanRun(rows)
		if err != nil {
			return RunPage{}, fmt.Errorf("runs page: %w", err)
		}
		page.Runs = append(page.Runs, run)
	}
	if err := rows.Err(); err != nil {
		return RunPage{}, fmt.Errorf("runs page: %w", err)
	}
	if len(page.Runs) > limit {
		page.Runs, page.More = page.Runs[:limit], true
	}
	return page, nil
}

// runsWhere is the condition on runs r that selects q's page of a check's
// runs, and its arguments.
func (s *Store) runsWhere(ctx context.Context, check string, q RunQuery) (string, []any, error) {
	where := []string{`r.check_id = (SELECT id FROM check_names WHERE name = ?)`}
	args := []any{check}
	if q.Before > 0 {
		var startedMs int64
		err := s.r.QueryRowContext(ctx, `SELECT started_ms FROM runs
			WHERE id = ? AND check_id = (SELECT id FROM check_names WHERE name = ?)`, q.Before, check).Scan(&startedMs)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil, fmt.Errorf("run %d of %q: %w", q.Before, check, ErrNotFound)
		}
		if err != nil {
			return "", nil, fmt.Errorf("runs page: %w", err)
		}
		// Runs are ordered by (started_ms, id): the first condition bounds
		// the index range, the second breaks ties within one millisecond.
		where = append(where, `r.started_ms <= ?`, `(r.started_ms < ? OR r.id < ?)`)
		args = append(args, startedMs, startedMs, q.Before)
	}
	if !q.From.IsZero() {
		// A row of folded runs that began before From (in its hour at the
		// earliest: foldSpan) and reached it is in the range too.
		where = append(where, `r.started_ms >= ?`, `(r.started_ms >= ? OR r.last_ms >= ?)`)
		args = append(args, ms(q.From.Truncate(foldSpan)), ms(q.From), ms(q.From))
	}
	if !q.To.IsZero() {
		where, args = append(where, `r.started_ms < ?`), append(args, ms(q.To))
	}
	return strings.Join(where, " AND "), args, nil
}

// LatestRunID changes exactly when a run was recorded, which is what the
// dashboard's live refresh waits for: the newest run id (one end of the
// primary key) plus the runs folded since Open (fold.go), which add no row.
// 0 before the first run; a change counter, not a run's id.
func (s *Store) LatestRunID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM runs`).Scan(&id); err != nil {
		return 0, fmt.Errorf("latest run: %w", err)
	}
	return id + s.foldedRuns.Load(), nil // a folded run adds no row: it changes the value all the same
}
