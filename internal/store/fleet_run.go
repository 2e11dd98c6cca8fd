package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// LocationResult is one location's latest verdict of a check.
type LocationResult struct {
	Location, Instance string
	RunID              int64
	Started, Slot      time.Time
	Passed             bool
	// Verdict is each probe's kind, target and failed assertions.
	Verdict []checks.ProbeResult
}

// FleetEvaluator is an Evaluator for a run of a fleet: it also gets the
// latest verdict of every location of the check, this run's included.
type FleetEvaluator func(prev alert.State, res checks.Result, runID int64, locs []LocationResult) (alert.State, *alert.Incident, []alert.Event)

// instanceID names this process in slot_runs and leases (SetInstance).
type instanceID struct{ v atomic.Value }

func (i *instanceID) get() string {
	if v, ok := i.v.Load().(string); ok {
		return v
	}
	return ""
}

// SetInstance names the instance whose runs this store records.
func (s *Store) SetInstance(id string) { s.instance.v.Store(id) }

// fenceSlot records that res's slot ran, once: a second result for the same
// (check, location, slot) is ErrSlotTaken. The lease on the slot, if this
// instance still holds it, ends: the check's next slot may be claimed as
// soon as it is due. Runs without a slot (a single monitor) pass.
func (w *batchWriter) fenceSlot(ctx context.Context, res checks.Result) error {
	if res.Location == "" || res.Slot.IsZero() {
		return nil
	}
	me := w.s.instance.get()
	args := []any{res.Check, res.Location, res.Slot.UnixMilli(), me}
	if w.s.dial == Postgres { // one round trip: the fence and, if it held, the release
		var n int
		if err := w.QueryRowContext(ctx, `WITH f AS (INSERT INTO slot_runs (check_name, location, slot_ms, instance)
			VALUES (?1, ?2, ?3, ?4) ON CONFLICT (check_name, location, slot_ms) DO NOTHING RETURNING 1),
			r AS (UPDATE schedule SET lease_owner = '', lease_until_ms = 0
				WHERE check_name = ?1 AND location = ?2 AND lease_slot_ms = ?3 AND lease_owner = ?4 AND EXISTS (SELECT 1 FROM f))
			SELECT COUNT(*) FROM f`, args...).Scan(&n); err != nil {
			return fmt.Errorf("record slot: %w", err)
		}
		if n == 0 {
			return ErrSlotTaken
		}
		return nil
	}
	r, err := w.ExecContext(ctx, `INSERT INTO slot_runs (check_name, location, slot_ms, instance) VALUES (?, ?, ?, ?)
		ON CONFLICT (check_name, location, slot_ms) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("record slot: %w", err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return ErrSlotTaken
	}
	_, err = w.ExecContext(ctx, `UPDATE schedule SET lease_owner = '', lease_until_ms = 0
		WHERE check_name = ? AND location = ? AND lease_slot_ms = ? AND lease_owner = ?`, args...)
	if err != nil {
		return fmt.Errorf("release slot: %w", err)
	}
	return nil
}

// noteLocation makes the run its location's latest verdict (unless a newer
// run of that location is stored) and returns every location's latest.
func (w *batchWriter) noteLocation(ctx context.Context, res checks.Result, runID int64) ([]LocationResult, error) {
	verdict, err := json.Marshal(verdictOf(res.Probes))
	if err != nil {
		return nil, fmt.Errorf("record location: %w", err)
	}
	args := []any{res.Check, res.Location, runID, ms(res.Started), res.Slot.UnixMilli(), w.s.instance.get(), res.Passed(), string(verdict)}
	if w.s.dial == Postgres { // one round trip: the others' rows and this one as written (or as stored, when newer)
		m, err := queryLocations(ctx, w.tx, `WITH up AS (`+upsertLocation+` RETURNING `+locationColumns+`)
			SELECT `+locationColumns+` FROM location_latest
			WHERE check_name = ?1 AND (location <> ?2 OR NOT EXISTS (SELECT 1 FROM up))
			UNION ALL SELECT `+locationColumns+` FROM up ORDER BY 1, 2`, args...)
		return m[res.Check], err
	}
	if _, err = w.ExecContext(ctx, upsertLocation, args...); err != nil {
		return nil, fmt.Errorf("record location: %w", err)
	}
	return locationResults(ctx, w.tx, res.Check)
}

// upsertLocation makes a run its location's latest, unless a newer one is
// stored.
const upsertLocation = `INSERT INTO location_latest (check_name, location, run_id, started_ms, slot_ms,
		instance, passed, verdict) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
		ON CONFLICT (check_name, location) DO UPDATE SET run_id = excluded.run_id, started_ms = excluded.started_ms,
		slot_ms = excluded.slot_ms, instance = excluded.instance, passed = excluded.passed, verdict = excluded.verdict
		WHERE excluded.started_ms >= location_latest.started_ms`

// locationColumns are what queryLocations reads, in its order.
const locationColumns = `check_name, location, instance, run_id, started_ms, slot_ms, passed, verdict`

// LocationResults returns the latest verdict of each location of a check,
// by location.
func (s *Store) LocationResults(ctx context.Context, check string) ([]LocationResult, error) {
	return locationResults(ctx, s.r, check)
}

func locationResults(ctx context.Context, q rowsQueryer, check string) ([]LocationResult, error) {
	m, err := queryLocations(ctx, q, `SELECT `+locationColumns+` FROM location_latest
		WHERE check_name = ? ORDER BY location`, check)
	return m[check], err
}

// AllLocationResults returns every check's latest verdict per location, for
// the fleet page's matrix.
func (s *Store) AllLocationResults(ctx context.Context) (map[string][]LocationResult, error) {
	return queryLocations(ctx, s.r, `SELECT `+locationColumns+` FROM location_latest ORDER BY check_name, location`)
}

// queryLocations runs query, which reads locationColumns of location_latest
// rows, and returns them by check, each check's in the query's order.
func queryLocations(ctx context.Context, q rowsQueryer, query string, args ...any) (map[string][]LocationResult, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("location results: %w", err)
	}
	defer rows.Close()
	out := map[string][]LocationResult{}
	for rows.Next() {
		var l LocationResult
		var check, verdict string
		var started, slot int64
		if err := rows.Scan(&check, &l.Location, &l.Instance, &l.RunID, &started, &slot, &l.Passed, &verdict); err != nil {
			return nil, fmt.Errorf("location results: %w", err)
		}
		l.Started, l.Slot = fromMs(started), fromMs(slot)
		if err := json.Unmarshal([]byte(verdict), &l.Verdict); err != nil {
			return nil, fmt.Errorf("location results of %s: %w", check, err)
		}
		out[check] = append(out[check], l)
	}
	return out, rows.Err()
}
