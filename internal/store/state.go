package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

const stateQuery = `SELECT check_name, status, since_ms, severity, failing, state_json FROM check_state`

type scanner interface{ Scan(dest ...any) error }

// State returns a check's alert state, or ErrNotFound before its first run.
func (s *Store) State(ctx context.Context, check string) (alert.State, error) {
	return scanState(s.r.QueryRowContext(ctx, stateQuery+` WHERE check_name = ?`, check))
}

func stateTx(ctx context.Context, tx querier, check string) (alert.State, error) {
	return scanState(tx.QueryRowContext(ctx, stateQuery+` WHERE check_name = ?`, check))
}

func scanState(row scanner) (alert.State, error) {
	var c stateColumns
	if err := row.Scan(c.dest()...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return alert.State{}, ErrNotFound
		}
		return alert.State{}, fmt.Errorf("read state: %w", err)
	}
	return c.decode()
}

// stateColumns are the check_state columns of stateQuery, in order.
type stateColumns struct {
	check, status, sev, failing, body string
	since                             int64
}

func (c *stateColumns) dest() []any {
	return []any{&c.check, &c.status, &c.since, &c.sev, &c.failing, &c.body}
}

func (c *stateColumns) decode() (alert.State, error) {
	if c.body != "" {
		var st alert.State
		if err := json.Unmarshal([]byte(c.body), &st); err != nil {
			return alert.State{}, fmt.Errorf("read state of %s: %w", c.check, err)
		}
		return st, nil
	}
	v1 := alert.State{Check: c.check, Status: alert.Status(c.status), Since: fromMs(c.since), Severity: checks.ParseSeverity(c.sev)}
	if c.failing != "" {
		v1.Failing = strings.Split(c.failing, ",")
	}
	return upgradeState(v1), nil
}

// upgradeState turns a version-1 state (passing/failing only) into a full
// one. Version 1 alerted on the first failing run, so a failing check already
// had its alert: it becomes an announced open incident, which resolves (and
// says so) when the check recovers, instead of alerting a second time.
func upgradeState(st alert.State) alert.State {
	if st.Status != alert.StatusFailing {
		return st
	}
	st.FailStreak = 1
	st.Incident = &alert.Incident{Check: st.Check, Severity: st.Severity, Opened: st.Since,
		LastFail: st.Since, Announced: true}
	for _, key := range st.Failing { // already alerted: not "new" on the next run
		st.Incident.Regressions = append(st.Incident.Regressions, alert.Regression{Key: key})
	}
	return st
}

func saveState(ctx context.Context, tx querier, st alert.State, runID int64) error {
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO check_state
		(check_name, status, since_ms, severity, failing, last_run_id, state_json) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (check_name) DO UPDATE SET status = excluded.status, since_ms = excluded.since_ms,
		severity = excluded.severity, failing = excluded.failing, last_run_id = excluded.last_run_id,
		state_json = excluded.state_json`,
		st.Check, string(st.Status), ms(st.Since), st.Severity.String(), strings.Join(st.Failing, ","), runID, string(body))
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}
