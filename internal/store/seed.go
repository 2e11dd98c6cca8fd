package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// SeedHistory fills the store with a synthetic history for benchmarks and
// load tests: n checks named seed-0000…, one run every `every` for `days`
// days up to now, all passing but one failing run per check per day, with
// their rollups. It writes through the store's own tables, evidence sharing
// and rollup code, in large transactions, skipping only the alert decisions
// (each check's state is written once, at the end).
func (s *Store) SeedHistory(ctx context.Context, n, days int, every time.Duration, now time.Time, pass func(check string, at time.Time) checks.Result) error {
	start := now.Add(-time.Duration(days) * 24 * time.Hour)
	perDay := int((24 * time.Hour) / every)
	const chunk = 24 * time.Hour // one transaction per simulated day
	for from := start; from.Before(now); from = from.Add(chunk) {
		to := from.Add(chunk)
		if to.After(now) {
			to = now
		}
		if err := s.seedChunk(ctx, n, from, to, every, perDay, pass); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) seedChunk(ctx context.Context, n int, from, to time.Time, every time.Duration, perDay int, pass func(string, time.Time) checks.Result) error {
	if err := s.syncRollups(ctx); err != nil { // it writes its rollups at once: nothing may be pending
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	w := newBatchWriter(s, tx)
	for i := range n {
		name := fmt.Sprintf("seed-%04d", i)
		id, err := w.checkID(ctx, name)
		if err != nil {
			return err
		}
		k := 0
		for at := from.Add(time.Duration(i) * every / time.Duration(n)); at.Before(to); at = at.Add(every) {
			res := pass(name, at)
			if k%perDay == perDay/2 { // one failing run a day
				res.Probes[1].Status, res.Probes[1].Assertions[0].Pass = 200, false
			}
			k++
			evidenceID, reused, err := w.evidenceFor(ctx, id, res, signature(res.Probes))
			if err != nil {
				return err
			}
			var runID int64
			err = w.QueryRowContext(ctx, `INSERT INTO runs (check_id, started_ms, duration_us, passed, evidence_id)
				VALUES (?, ?, ?, ?, ?) RETURNING id`, id, ms(at), res.Duration.Microseconds(), res.Passed(),
				evidenceID).Scan(&runID)
			if err != nil {
				return fmt.Errorf("seed: %w", err)
			}
			w.lastRun = max(w.lastRun, runID)
			if err := w.noteLatest(id, runID, res, evidenceID, reused); err != nil {
				return err
			}
			w.rollup(id, res)
		}
		if err := seedState(ctx, w, name, to); err != nil {
			return err
		}
	}
	if err := w.flushRollups(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	w.publish()
	s.prepareSeen(ctx)
	return nil
}

func seedState(ctx context.Context, w *batchWriter, name string, at time.Time) error {
	var last int64
	if err := w.QueryRowContext(ctx, `SELECT MAX(id) FROM runs`).Scan(&last); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	st := alert.State{Check: name, Status: alert.StatusPassing, Since: at, PassStreak: 1}
	w.states[name] = st
	body, _ := json.Marshal(st)
	_, err := w.ExecContext(ctx, `INSERT INTO check_state (check_name, status, since_ms, severity, failing,
		last_run_id, state_json) VALUES (?, 'passing', ?, 'none', '', ?, ?)
		ON CONFLICT (check_name) DO UPDATE SET last_run_id = excluded.last_run_id`, name, ms(at), last, string(body))
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
