package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// Evaluator folds a run, stored as runID, into a check's previous state
// (alert.Decide under the check's policy): the next state, the incident the
// run touched, and the notifications to queue.
type Evaluator func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event)

// RecordRun stores a run, folds it into the check's state with eval, saves
// the incident it touched and queues its notifications: all in one
// transaction, so a crash can never keep a state change and lose its alert.
func (s *Store) RecordRun(ctx context.Context, res checks.Result, eval Evaluator) (Run, []alert.Event, error) {
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
	next, inc, evs := eval(prev, res, id)
	if inc != nil {
		if err := saveIncident(ctx, tx, inc); err != nil {
			return Run{}, nil, err
		}
	}
	if err := saveState(ctx, tx, next, id); err != nil {
		return Run{}, nil, err
	}
	for i := range evs {
		if evs[i].IncidentID == 0 && inc != nil {
			evs[i].IncidentID = inc.ID
		}
		if err := enqueue(ctx, tx, evs[i], s.now()); err != nil {
			return Run{}, nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return Run{}, nil, fmt.Errorf("record run: commit: %w", err)
	}
	return Run{ID: id, Result: res}, evs, nil
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

// Overview returns every check that has a state, with its latest run, by name.
func (s *Store) Overview(ctx context.Context) ([]CheckSummary, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT st.check_name, st.status, st.since_ms, st.severity, st.failing,
		st.state_json, `+runColumns+` FROM check_state st JOIN runs r ON r.id = st.last_run_id ORDER BY st.check_name`)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer rows.Close()
	var out []CheckSummary
	for rows.Next() {
		var c stateColumns
		run, err := scanRun(rows, c.dest()...)
		if err != nil {
			return nil, fmt.Errorf("overview: %w", err)
		}
		st, err := c.decode()
		if err != nil {
			return nil, fmt.Errorf("overview: %w", err)
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
