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

// writeLatest stores each check's newest run of the batch and its newest
// hourly rollup, as merged by flushRollups. Neither goes back in time: a
// late run or an older hour leaves what is stored.
func (w *batchWriter) writeLatest(ctx context.Context) error {
	hours := map[int64]rollKey{}
	for k := range w.merged {
		if h, ok := hours[k.check]; k.period == 0 && (!ok || h.start < k.start) {
			hours[k.check] = k
		}
	}
	for check, l := range w.latest {
		var hourMs, runs, failures int64
		var blob []byte
		if k, ok := hours[check]; ok {
			agg := w.merged[k]
			hourMs, runs, failures, blob = k.start, agg.runs, agg.failures, agg.h.encode()
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
		_, err := w.ExecContext(ctx, `INSERT INTO check_latest (check_id, run_id, started_ms, duration_us, passed,
			evidence_id, kinds, verdict, hour_ms, hour_runs, hour_failures, hour_hist)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
			ON CONFLICT (check_id) DO UPDATE SET
				run_id = iif(?3 >= started_ms, ?2, run_id),
				duration_us = iif(?3 >= started_ms, ?4, duration_us),
				passed = iif(?3 >= started_ms, ?5, passed),
				evidence_id = iif(?3 >= started_ms, ?6, evidence_id),
				kinds = iif(?3 < started_ms OR ?6 = evidence_id, kinds, iif(?13, ?7,
					(SELECT ifnull(group_concat(j.value ->> 'kind'), '') FROM evidence e,
						json_each(iif(e.verdict = '', e.probes_json, e.verdict)) j WHERE e.id = ?6))),
				verdict = iif(?3 < started_ms OR ?6 = evidence_id, verdict, iif(?13 OR ?5, ?8,
					ifnull((SELECT iif(e.verdict = '', e.probes_json, e.verdict) FROM evidence e WHERE e.id = ?6), '[]'))),
				started_ms = max(?3, started_ms),
				hour_runs = iif(?9 >= hour_ms, ?10, hour_runs),
				hour_failures = iif(?9 >= hour_ms, ?11, hour_failures),
				hour_hist = iif(?9 >= hour_ms, ?12, hour_hist),
				hour_ms = max(?9, hour_ms)`,
			check, l.run, l.started, l.durationUS, l.passed, l.evidence, kinds, verdict,
			hourMs, runs, failures, blob, l.hasVerdict)
		if err != nil {
			return fmt.Errorf("record latest run: %w", err)
		}
	}
	return nil
}
