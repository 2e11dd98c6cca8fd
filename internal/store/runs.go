package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// Evaluator folds a run into a check's previous alert state (alert.Evaluate).
type Evaluator func(prev alert.State, res checks.Result) (alert.State, *alert.Event)

// RecordRun stores a run, folds it into the check's alert state with eval and,
// when that yields an event, queues the event in the outbox: all in one
// transaction, so a crash can never keep the state change and lose the alert.
func (s *Store) RecordRun(ctx context.Context, res checks.Result, eval Evaluator) (Run, *alert.Event, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Run{}, nil, fmt.Errorf("record run: %w", err)
	}
	defer tx.Rollback()
	id, err := insertRun(ctx, tx, res)
	if err != nil {
		return Run{}, nil, err
	}
	prev, err := stateTx(ctx, tx, res.Check)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Run{}, nil, err
	}
	next, ev := eval(prev, res)
	if err := saveState(ctx, tx, next, id); err != nil {
		return Run{}, nil, err
	}
	if ev != nil {
		if err := enqueue(ctx, tx, *ev, s.now()); err != nil {
			return Run{}, nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return Run{}, nil, fmt.Errorf("record run: commit: %w", err)
	}
	return Run{ID: id, Result: res}, ev, nil
}

func insertRun(ctx context.Context, tx *sql.Tx, res checks.Result) (int64, error) {
	probes, err := json.Marshal(res.Probes)
	if err != nil {
		return 0, fmt.Errorf("record run: encode probes: %w", err)
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO runs
		(check_name, started_ms, duration_ms, passed, severity, summary, probes_json)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		res.Check, ms(res.Started), res.Duration.Milliseconds(), res.Passed(),
		res.Severity().String(), res.Summary(), string(probes))
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	return r.LastInsertId()
}

func saveState(ctx context.Context, tx *sql.Tx, st alert.State, runID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO check_state
		(check_name, status, since_ms, severity, failing, last_run_id) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (check_name) DO UPDATE SET status = excluded.status, since_ms = excluded.since_ms,
		severity = excluded.severity, failing = excluded.failing, last_run_id = excluded.last_run_id`,
		st.Check, string(st.Status), ms(st.Since), st.Severity.String(), strings.Join(st.Failing, ","), runID)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// State returns a check's alert state, or ErrNotFound before its first run.
func (s *Store) State(ctx context.Context, check string) (alert.State, error) {
	row := s.r.QueryRowContext(ctx, stateQuery+` WHERE check_name = ?`, check)
	st, _, err := scanState(row)
	return st, err
}

func stateTx(ctx context.Context, tx *sql.Tx, check string) (alert.State, error) {
	st, _, err := scanState(tx.QueryRowContext(ctx, stateQuery+` WHERE check_name = ?`, check))
	return st, err
}

const stateQuery = `SELECT check_name, status, since_ms, severity, failing, last_run_id FROM check_state`

type scanner interface{ Scan(dest ...any) error }

func scanState(row scanner) (alert.State, int64, error) {
	var st alert.State
	var status, sev, failing string
	var since, lastRun int64
	if err := row.Scan(&st.Check, &status, &since, &sev, &failing, &lastRun); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return alert.State{}, 0, ErrNotFound
		}
		return alert.State{}, 0, fmt.Errorf("read state: %w", err)
	}
	st.Status, st.Since, st.Severity = alert.Status(status), fromMs(since), checks.ParseSeverity(sev)
	if failing != "" {
		st.Failing = strings.Split(failing, ",")
	}
	return st, lastRun, nil
}

// Overview returns every check that has a state, with its latest run, by name.
func (s *Store) Overview(ctx context.Context) ([]CheckSummary, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT st.check_name, st.status, st.since_ms, st.severity, st.failing,
		st.last_run_id, `+runColumns+` FROM check_state st JOIN runs r ON r.id = st.last_run_id ORDER BY st.check_name`)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer rows.Close()
	var out []CheckSummary
	for rows.Next() {
		var st alert.State
		var status, sev, failing string
		var since, lastRun int64
		run, err := scanRun(rows, &st.Check, &status, &since, &sev, &failing, &lastRun)
		if err != nil {
			return nil, fmt.Errorf("overview: %w", err)
		}
		st.Status, st.Since, st.Severity = alert.Status(status), fromMs(since), checks.ParseSeverity(sev)
		if failing != "" {
			st.Failing = strings.Split(failing, ",")
		}
		out = append(out, CheckSummary{Name: st.Check, State: st, Last: &run})
	}
	return out, rows.Err()
}

// Runs returns a check's latest runs, newest first.
func (s *Store) Runs(ctx context.Context, check string, limit int) ([]Run, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+runColumns+` FROM runs r
		WHERE r.check_name = ? ORDER BY r.started_ms DESC, r.id DESC LIMIT ?`, check, limit)
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		run, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("runs: %w", err)
		}
		out = append(out, run)
	}
	return out, rows.Err()
}

const runColumns = `r.id, r.check_name, r.started_ms, r.duration_ms, r.probes_json`

// scanRun reads runColumns after any leading columns given in pre.
func scanRun(row scanner, pre ...any) (Run, error) {
	var run Run
	var started, dur int64
	var probes string
	dest := append(pre, &run.ID, &run.Check, &started, &dur, &probes)
	if err := row.Scan(dest...); err != nil {
		return Run{}, err
	}
	run.Started, run.Duration = fromMs(started), time.Duration(dur)*time.Millisecond
	if err := json.Unmarshal([]byte(probes), &run.Probes); err != nil {
		return Run{}, fmt.Errorf("decode run %d: %w", run.ID, err)
	}
	return run, nil
}
