package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Summary returns one check's line of the overview with its full state, or
// ErrNotFound before its first run. Its run is light: each probe holds its
// kind, target and failed assertions only; Runs has the full evidence.
func (s *Store) Summary(ctx context.Context, check string) (CheckSummary, error) {
	sums, err := s.summaries(ctx, `WHERE st.check_name = ?`, check)
	if err != nil {
		return CheckSummary{}, err
	}
	if len(sums) == 0 {
		return CheckSummary{}, ErrNotFound
	}
	return sums[0], nil
}

func (s *Store) summaries(ctx context.Context, where string, args ...any) ([]CheckSummary, error) {
	if err := s.syncFolds(ctx); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT st.check_name, st.status, st.since_ms, st.severity, st.failing,
		st.state_json, `+verdictColumns+` FROM check_state st
		JOIN runs r ON r.id = (SELECT id FROM runs WHERE check_id = (SELECT id FROM check_names WHERE name = st.check_name)
			ORDER BY started_ms DESC LIMIT 1)`+runJoins+` `+where+`
		ORDER BY st.check_name`, args...)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	defer rows.Close()
	var out []CheckSummary
	for rows.Next() {
		var c stateColumns
		run, err := scanRun(rows, c.dest()...)
		if err != nil {
			return nil, fmt.Errorf("summary: %w", err)
		}
		if run.Repeats > 0 { // as the overview's line has it: when the latest run started
			run.Started = run.LastStarted
		}
		st, err := c.decode()
		if err != nil {
			return nil, fmt.Errorf("summary: %w", err)
		}
		out = append(out, CheckSummary{Name: st.Check, State: st, Last: &run})
	}
	return out, rows.Err()
}

// Runs returns a check's latest runs, newest first.
func (s *Store) Runs(ctx context.Context, check string, limit int) ([]Run, error) {
	if err := s.syncFolds(ctx); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+runColumns+` FROM runs r`+runJoins+`
		WHERE r.check_id = (SELECT id FROM check_names WHERE name = ?)
		ORDER BY r.started_ms DESC, r.id DESC LIMIT ?`, check, limit)
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

// runColumns are read from runs r joined with check_names cn and evidence e
// (runJoins).
const runColumns = `r.id, cn.name, r.started_ms, r.duration_us, r.location, r.repeats, r.last_ms, r.max_us,
	e.started_ms, e.probes_json`

// verdictColumns are runColumns with the compact verdict in place of the
// full evidence when there is one.
const verdictColumns = `r.id, cn.name, r.started_ms, r.duration_us, r.location, r.repeats, r.last_ms, r.max_us,
	e.started_ms,
	CASE e.verdict WHEN '' THEN e.probes_json ELSE e.verdict END`

const runJoins = ` JOIN check_names cn ON cn.id = r.check_id JOIN evidence e ON e.id = r.evidence_id`

// scanRun reads runColumns after any leading columns given in pre.
func scanRun(row scanner, pre ...any) (Run, error) {
	var run Run
	var started, dur, last, maxUS, evStarted int64
	var probes string
	dest := append(pre, &run.ID, &run.Check, &started, &dur, &run.Location, &run.Repeats, &last, &maxUS,
		&evStarted, &probes)
	if err := row.Scan(dest...); err != nil {
		return Run{}, err
	}
	run.Started, run.Duration = fromMs(started), time.Duration(dur)*time.Microsecond
	run.setFold(last, maxUS)
	if evStarted != started {
		run.EvidenceFrom = fromMs(evStarted)
	}
	if err := json.Unmarshal([]byte(probes), &run.Probes); err != nil {
		return Run{}, fmt.Errorf("decode run %d: %w", run.ID, err)
	}
	return run, nil
}
