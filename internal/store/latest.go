package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// check_latest holds, per check, what the overview shows of its latest run
// and a copy of its newest hourly rollup (see migration 6). The writer keeps
// it with one statement per check per batch, at the end of the batch: SQL
// triggers on runs and rollups did the same work but cost a third of the
// write path's throughput (a trigger program per row).

// latestRun is a check's newest run in the batch.
type latestRun struct {
	run, started, durationUS, evidence int64
	passed                             bool
	// kinds and verdict are set when the run's evidence is new (written in
	// this batch); otherwise they are the stored ones, or read from the
	// evidence row should the stored row hold other evidence. A passing
	// run's verdict is empty: its kinds say all the overview shows.
	kinds, verdict string
	hasVerdict     bool
}

// noteLatest remembers a run recorded in the batch if it is the check's
// newest so far. reused says the run shares the evidence of an earlier run.
func (w *batchWriter) noteLatest(check, runID int64, res checks.Result, evidenceID int64, reused bool) error {
	cur := w.latest[check]
	if cur == nil && w.deferRollups {
		cur = w.s.pendingLatest[check]
	}
	if cur != nil && ms(res.Started) < cur.started {
		return nil // recorded late: not the latest
	}
	l := &latestRun{run: runID, started: ms(res.Started), durationUS: res.Duration.Microseconds(),
		evidence: evidenceID, passed: res.Passed()}
	switch {
	case !reused:
		kinds := make([]string, len(res.Probes))
		for i, p := range res.Probes {
			kinds[i] = string(p.Kind)
		}
		l.kinds, l.hasVerdict = strings.Join(kinds, ","), true
		if !l.passed { // a passing run's verdict is its kinds: keep the row short
			verdict, err := json.Marshal(verdictOf(res.Probes))
			if err != nil {
				return fmt.Errorf("record run: encode verdict: %w", err)
			}
			l.verdict = string(verdict)
		}
	case cur != nil && cur.hasVerdict && cur.evidence == evidenceID:
		l.kinds, l.verdict, l.hasVerdict = cur.kinds, cur.verdict, true // shares evidence new in this batch
	}
	w.latest[check] = l
	return nil
}

// writeLatest stores each check's newest run of latest and its newest
// hourly rollup of rolls. Neither goes back in time: a
// late run or an older hour leaves what is stored.
func (w *batchWriter) writeLatest(ctx context.Context, latest map[int64]*latestRun, rolls map[rollKey]*rollAgg) error {
	hours := map[int64]rollKey{}
	for k := range rolls {
		if h, ok := hours[k.check]; k.period == 0 && (!ok || h.start < k.start) {
			hours[k.check] = k
		}
	}
	for check, l := range latest {
		var hourMs, runs, failures int64
		var blob []byte
		if k, ok := hours[check]; ok {
			agg := rolls[k]
			hourMs, runs, failures, blob = k.start, agg.runs, agg.failures, agg.hist().encode()
		} else {
			blob = newHist().encode()
		}
		if !l.hasVerdict {
			// The usual case: a newer run with the stored evidence, in the
			// same or a newer hour. Fewer parameters than the upsert, and
			// no insert to try: this runs once per check per batch.
			r, err := w.ExecContext(ctx, `UPDATE check_latest SET run_id = ?2, started_ms = ?3, duration_us = ?4,
				hour_ms = ?5, hour_runs = ?6, hour_failures = ?7, hour_hist = ?8
				WHERE check_id = ?1 AND evidence_id = ?9 AND started_ms <= ?3 AND hour_ms <= ?5`,
				check, l.run, l.started, l.durationUS, hourMs, runs, failures, blob, l.evidence)
			if err != nil {
				return fmt.Errorf("record latest run: %w", err)
			}
			if n, _ := r.RowsAffected(); n == 1 {
				continue
			}
		}
		verdict, kinds := l.verdict, l.kinds
		if !l.hasVerdict && !l.passed {
			verdict = "[]" // only if a check's first run ever shared evidence, which cannot happen
		}
		_, err := w.ExecContext(ctx, fmt.Sprintf(upsertLatest, kindsOf[w.s.dial]),
			check, l.run, l.started, l.durationUS, l.passed, l.evidence, kinds, verdict,
			hourMs, runs, failures, blob, l.hasVerdict)
		if err != nil {
			return fmt.Errorf("record latest run: %w", err)
		}
	}
	return nil
}

// upsertLatest writes a check's latest run unless a newer one is stored. It
// is written for both engines: CASE rather than iif or two-argument max,
// flags compared with 0 (PostgreSQL gets booleans as 1 and 0). %s is the
// dialect's comma-separated probe kinds of evidence ?6 (kindsOf).
const upsertLatest = `INSERT INTO check_latest (check_id, run_id, started_ms, duration_us, passed,
	evidence_id, kinds, verdict, hour_ms, hour_runs, hour_failures, hour_hist)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
	ON CONFLICT (check_id) DO UPDATE SET
		run_id = CASE WHEN ?3 >= check_latest.started_ms THEN ?2 ELSE check_latest.run_id END,
		duration_us = CASE WHEN ?3 >= check_latest.started_ms THEN ?4 ELSE check_latest.duration_us END,
		passed = CASE WHEN ?3 >= check_latest.started_ms THEN ?5 ELSE check_latest.passed END,
		evidence_id = CASE WHEN ?3 >= check_latest.started_ms THEN ?6 ELSE check_latest.evidence_id END,
		kinds = CASE WHEN ?3 < check_latest.started_ms OR ?6 = check_latest.evidence_id THEN check_latest.kinds
			WHEN ?13 <> 0 THEN ?7 ELSE (%s) END,
		verdict = CASE WHEN ?3 < check_latest.started_ms OR ?6 = check_latest.evidence_id THEN check_latest.verdict
			WHEN ?13 <> 0 OR ?5 <> 0 THEN ?8
			ELSE COALESCE((SELECT CASE WHEN e.verdict = '' THEN e.probes_json ELSE e.verdict END
				FROM evidence e WHERE e.id = ?6), '[]') END,
		started_ms = CASE WHEN ?3 > check_latest.started_ms THEN ?3 ELSE check_latest.started_ms END,
		hour_runs = CASE WHEN ?9 >= check_latest.hour_ms THEN ?10 ELSE check_latest.hour_runs END,
		hour_failures = CASE WHEN ?9 >= check_latest.hour_ms THEN ?11 ELSE check_latest.hour_failures END,
		hour_hist = CASE WHEN ?9 >= check_latest.hour_ms THEN ?12 ELSE check_latest.hour_hist END,
		hour_ms = CASE WHEN ?9 > check_latest.hour_ms THEN ?9 ELSE check_latest.hour_ms END`

// kindsOf is, per dialect, the comma-separated probe kinds of evidence ?6.
var kindsOf = map[Dialect]string{
	SQLite: `SELECT ifnull(group_concat(j.value ->> 'kind'), '') FROM evidence e,
		json_each(iif(e.verdict = '', e.probes_json, e.verdict)) j WHERE e.id = ?6`,
	Postgres: `SELECT COALESCE(string_agg(j.value ->> 'kind', ',' ORDER BY j.n), '') FROM evidence e,
		json_array_elements(CASE WHEN e.verdict = '' THEN e.probes_json ELSE e.verdict END::json)
		WITH ORDINALITY AS j(value, n) WHERE e.id = ?6`,
}

// writeLatestAll stores the latest rows and strips the writer kept pending,
// with the mark saying which runs they show (migration 16). The rollups
// they copy from must be stored first (writeAllRollups).
func (w *batchWriter) writeLatestAll(ctx context.Context) error {
	if err := w.refreshRecent(ctx, w.s.pendingSpans); err != nil {
		return err
	}
	hours := make(map[rollKey]*rollAgg, len(w.s.pendingLatest))
	for check := range w.s.pendingLatest {
		if c, ok := w.s.rollups[rollSlot{check, 0}]; ok {
			hours[rollKey{check: check, period: 0, start: c.start}] = c.agg
		}
	}
	if err := w.writeLatest(ctx, w.s.pendingLatest, hours); err != nil {
		return err
	}
	last := max(w.lastRun, w.s.lastRun)
	if _, err := w.ExecContext(ctx, `UPDATE rollup_mark SET latest_run_id = ? WHERE id = 1`, last); err != nil {
		return fmt.Errorf("latest mark: %w", err)
	}
	w.wroteLatest = true
	return nil
}
