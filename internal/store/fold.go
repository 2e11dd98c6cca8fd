package store

import (
	"context"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// Folding (SQLite, migration 15): a passing run that only repeats its
// check's latest row (the same evidence, in the same hour, and nothing for
// the alert state to write) is counted in that row rather than written as a
// row of its own. A check that keeps passing then costs one row an hour
// instead of one per run, and its runs cost no SQL at all: the row's
// counters are kept by the writer and written with the rollups, about once
// a second (nextFlushGap: up to 10 s when the writes take long), in the
// transaction that moves the rollup mark. A crash thus loses the counters
// and the rollups of the same runs (the repeats since that write, never a
// failure, a change of evidence or a notification: those are written before
// their run returns), so rollups and rows still agree.
// PostgreSQL keeps a row per run (its partitions are dropped by day).

// foldSpan is how far a row's folded runs may reach: the hour of its first
// run. Rows then never span an hourly rollup, pruning by age stays exact to
// the hour, and a page of runs from a time finds the row that covers it by
// looking one hour back.
const foldSpan = time.Hour

// foldTail is a check's latest row while it may take more runs.
type foldTail struct {
	run, evidence int64
	hour          int64 // start of the hour of the row's first run, unix ms
	repeats       int64 // runs folded into the row
	lastMs        int64 // when the newest of them started
	maxUS         int64 // the slowest of the row's runs, its first included
	dirty         bool  // counters not written yet
}

// SetFolding turns folding of repeated passing runs on or off ([storage]
// fold_repeats; on by default). PostgreSQL never folds.
func (s *Store) SetFolding(on bool) { s.foldOff.Store(!on) }

func (s *Store) folding() bool { return !s.Shared() && !s.foldOff.Load() }

// tail is the check's fold tail as the batch sees it; nil when its latest
// row takes no more runs.
func (w *batchWriter) tail(check int64) *foldTail {
	if f, ok := w.folds[check]; ok {
		return f
	}
	return w.s.folds[check]
}

// tryFold folds res into its check's latest row when it repeats it. folded
// is false when the run needs a row of its own; then nothing was changed.
// Deciding needs no SQL: a state or notification it causes is written in
// the batch's transaction, begun then.
func (w *batchWriter) tryFold(ctx context.Context, res checks.Result, sig outcomeSig, eval Evaluator) (run Run, evs []alert.Event, folded bool, err error) {
	if !w.s.folding() || res.Location != "" || !res.Passed() {
		return Run{}, nil, false, nil
	}
	checkID, ok := w.knownCheckID(res.Check)
	f := w.tail(checkID)
	if !ok || f == nil || ms(res.Started.Truncate(foldSpan)) != f.hour || ms(res.Started) < f.lastMs {
		return Run{}, nil, false, nil
	}
	if last, ok := w.latestEvidence(checkID); !ok || last.id != f.evidence || last.sig != sig {
		return Run{}, nil, false, nil
	}
	prev, ok := w.cachedState(res.Check)
	if !ok {
		return Run{}, nil, false, nil // read by the usual path
	}
	if prev.Status != alert.StatusPassing || prev.Incident != nil || prev.Flapping || prev.PassStreak < 1 {
		return Run{}, nil, false, nil // a recovering or flapping check: each run keeps its row
	}
	next := *f
	next.repeats, next.lastMs, next.dirty = f.repeats+1, ms(res.Started), true
	next.maxUS = max(f.maxUS, res.Duration.Microseconds())
	if evs, err = w.decided(ctx, res, f.run, prev, eval, true); err != nil {
		return Run{}, nil, false, err
	}
	w.folds[checkID] = &next
	w.folded++
	if err := w.noteLatest(checkID, f.run, res, f.evidence, true); err != nil {
		return Run{}, nil, false, err
	}
	w.rollup(checkID, res)
	return Run{ID: f.run, Result: res}, evs, true, nil
}

// startTail makes a row just written the check's fold tail if it passed;
// a failed one ends the fold, and so does any row while folding is off (a
// later fold must not reach back past it). A run recorded late (it started
// before the tail's newest run) leaves the tail: that row is still the
// check's latest.
func (w *batchWriter) startTail(checkID, runID, evidenceID int64, res checks.Result) {
	if w.s.Shared() || res.Location != "" {
		return
	}
	old := w.tail(checkID)
	if old != nil && ms(res.Started) < old.lastMs {
		return
	}
	if old != nil && old.dirty {
		w.closed = append(w.closed, old) // its counters are still to be written
	}
	if !res.Passed() || !w.s.folding() {
		w.folds[checkID] = nil
		return
	}
	w.folds[checkID] = &foldTail{run: runID, evidence: evidenceID, hour: ms(res.Started.Truncate(foldSpan)),
		lastMs: ms(res.Started), maxUS: res.Duration.Microseconds()}
}

// writeFolds writes the counters of the rows that took runs since they
// were last written: with the rollups that count those runs (writeAllRollups).
func (w *batchWriter) writeFolds(ctx context.Context) error {
	write := func(f *foldTail) error {
		if f == nil || !f.dirty {
			return nil
		}
		if _, err := w.ExecContext(ctx, `UPDATE runs SET repeats = ?, last_ms = ?, max_us = ? WHERE id = ?`,
			f.repeats, f.lastMs, f.maxUS, f.run); err != nil {
			return fmt.Errorf("folded runs: %w", err)
		}
		return nil
	}
	for check, f := range w.s.folds {
		if _, staged := w.folds[check]; !staged {
			if err := write(f); err != nil {
				return err
			}
		}
	}
	for _, list := range [][]*foldTail{w.s.closedFolds, w.closed} {
		for _, f := range list {
			if err := write(f); err != nil {
				return err
			}
		}
	}
	for _, f := range w.folds {
		if err := write(f); err != nil {
			return err
		}
	}
	return nil
}

// publishFolds makes the batch's tails the store's; wrote says their
// counters are stored.
func (w *batchWriter) publishFolds(wrote bool) {
	for check, f := range w.folds {
		if f == nil {
			delete(w.s.folds, check)
		} else {
			w.s.folds[check] = f
		}
	}
	if wrote {
		for _, f := range w.s.folds {
			f.dirty = false
		}
		w.s.closedFolds = nil
		w.s.foldsDirty.Store(false)
	} else {
		w.s.closedFolds = append(w.s.closedFolds, w.closed...)
		if w.folded > 0 {
			w.s.foldsDirty.Store(true)
		}
	}
	w.s.foldedRuns.Add(w.folded)
}

// setFold fills the folded runs' fields of a row read with its repeats.
func (r *Run) setFold(lastMs, maxUS int64) {
	if r.Repeats > 0 {
		r.LastStarted, r.MaxDuration = fromMs(lastMs), time.Duration(maxUS)*time.Microsecond
	}
}

// syncFolds has the writer store the counters of folded runs before a
// reader of runs reads them: it then sees every run recorded before.
func (s *Store) syncFolds(ctx context.Context) error {
	if !s.foldsDirty.Load() {
		return nil
	}
	return s.syncRollups(ctx)
}
