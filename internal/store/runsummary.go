package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// RunSummaries is RunsPage with each run's probes cut to what a list of runs
// shows: kind, target, status, error, skip reason, latency, and only the
// failed assertions (no headers, bodies, timings or passed assertions).
// Decoding the full evidence of every run was most of a check page's time;
// here each evidence row is read and decoded once, however many runs share
// it, and into those fields only.
func (s *Store) RunSummaries(ctx context.Context, check string, q RunQuery) (RunPage, error) {
	limit := max(q.Limit, 1)
	if err := s.syncFolds(ctx); err != nil {
		return RunPage{}, err
	}
	where, args, err := s.runsWhere(ctx, check, q)
	if err != nil {
		return RunPage{}, err
	}
	// e.started_ms precedes probes_json in the row: SQLite reads no evidence text.
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, cn.name, r.started_ms, r.duration_us, r.repeats, r.last_ms, r.max_us,
		e.started_ms, r.evidence_id
		FROM runs r`+runJoins+` WHERE `+where+`
		ORDER BY r.started_ms DESC, r.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return RunPage{}, fmt.Errorf("run summaries: %w", err)
	}
	defer rows.Close()
	var page RunPage
	var evidence []int64
	for rows.Next() {
		var run Run
		var started, dur, last, maxUS, evStarted, evID int64
		if err := rows.Scan(&run.ID, &run.Check, &started, &dur, &run.Repeats, &last, &maxUS, &evStarted, &evID); err != nil {
			return RunPage{}, fmt.Errorf("run summaries: %w", err)
		}
		run.Started, run.Duration = fromMs(started), time.Duration(dur)*time.Microsecond
		run.setFold(last, maxUS)
		if evStarted != started {
			run.EvidenceFrom = fromMs(evStarted)
		}
		page.Runs, evidence = append(page.Runs, run), append(evidence, evID)
	}
	if err := rows.Err(); err != nil {
		return RunPage{}, fmt.Errorf("run summaries: %w", err)
	}
	if len(page.Runs) > limit {
		page.Runs, evidence, page.More = page.Runs[:limit], evidence[:limit], true
	}
	probes, err := s.probeSummaries(ctx, evidence)
	if err != nil {
		return RunPage{}, err
	}
	for i := range page.Runs {
		page.Runs[i].Probes = probes[evidence[i]]
	}
	return page, nil
}

// probeHead is the part of a recorded probe that a run's summary shows.
type probeHead struct {
	Kind        checks.ProbeKind   `json:"kind"`
	Method      string             `json:"method"`
	URL         string             `json:"url"`
	Status      int                `json:"status"`
	StatusText  string             `json:"status_text"`
	Latency     time.Duration      `json:"latency_ns"`
	Error       string             `json:"error"`
	RateLimited bool               `json:"rate_limited"`
	Skipped     string             `json:"skipped"`
	Assertions  []checks.Assertion `json:"assertions"`
}

// probeSummaries decodes the summary of each distinct evidence row.
func (s *Store) probeSummaries(ctx context.Context, ids []int64) (map[int64][]checks.ProbeResult, error) {
	out := map[int64][]checks.ProbeResult{}
	var args []any
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id], args = nil, append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, probes_json FROM evidence WHERE id IN (?`+
		strings.Repeat(",?", len(args)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("run summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text []byte
		var heads []probeHead
		if err := rows.Scan(&id, &text); err != nil {
			return nil, fmt.Errorf("run summaries: %w", err)
		}
		if err := json.Unmarshal(text, &heads); err != nil {
			return nil, fmt.Errorf("decode evidence %d: %w", id, err)
		}
		out[id] = summaryProbes(heads)
	}
	return out, rows.Err()
}

// summaryProbes keeps of each probe its head and its failed assertions.
func summaryProbes(heads []probeHead) []checks.ProbeResult {
	ps := make([]checks.ProbeResult, len(heads))
	for i, h := range heads {
		ps[i] = checks.ProbeResult{Kind: h.Kind, Method: h.Method, URL: h.URL, Status: h.Status, StatusText: h.StatusText,
			Latency: h.Latency, Error: h.Error, RateLimited: h.RateLimited, Skipped: h.Skipped}
		for _, a := range h.Assertions {
			if !a.Pass {
				ps[i].Assertions = append(ps[i].Assertions, a)
			}
		}
	}
	return ps
}
