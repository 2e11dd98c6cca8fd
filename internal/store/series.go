package store

import (
	"context"
	"fmt"
	"time"
)

// Bucket is one hour or one day of a check's history, from its rollup.
type Bucket struct {
	Start        time.Time
	Runs, Failed int64
	// P50 and P95 are upper bounds of histogram buckets (see hist.go), so
	// within one 1-2-3-5 step of the true percentile; zero without runs.
	P50, P95 time.Duration
}

// Uptime is the share of passing runs, in percent; 100 with no runs.
func (b Bucket) Uptime() float64 { return Window{Runs: b.Runs, Failed: b.Failed}.Uptime() }

// maxBuckets bounds one series so a hand-written URL cannot ask for years
// of hours.
const maxBuckets = 24 * 62

// Series returns a check's history from the rollups, one bucket per step
// (time.Hour or 24*time.Hour, the two rollup periods) from the step holding
// from up to the one holding to, oldest first. Steps without runs are
// present with Runs 0, so a chart can show the gap.
func (s *Store) Series(ctx context.Context, check string, step time.Duration, from, to time.Time) ([]Bucket, error) {
	if err := s.syncRollups(ctx); err != nil {
		return nil, err
	}
	var period int
	switch step {
	case time.Hour:
		period = 0
	case 24 * time.Hour:
		period = 1
	default:
		return nil, fmt.Errorf("series: step %s is not an hour or a day", step)
	}
	first, last := from.UTC().Truncate(step), to.UTC().Truncate(step)
	n := int(last.Sub(first)/step) + 1
	if n < 1 || n > maxBuckets {
		return nil, fmt.Errorf("series: %d buckets from %s to %s: want 1 to %d", n, from, to, maxBuckets)
	}
	out := make([]Bucket, n)
	for i := range out {
		out[i].Start = first.Add(time.Duration(i) * step)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT start_ms, runs, failures, hist FROM rollups
		WHERE check_id = (SELECT id FROM check_names WHERE name = ?) AND period = ?
		AND start_ms >= ? AND start_ms <= ? ORDER BY start_ms`, check, period, ms(first), ms(last))
	if err != nil {
		return nil, fmt.Errorf("series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var start, runs, failed int64
		var blob []byte
		if err := rows.Scan(&start, &runs, &failed, &blob); err != nil {
			return nil, fmt.Errorf("series: %w", err)
		}
		h, err := decodeHist(blob)
		if err != nil {
			return nil, fmt.Errorf("series: %w", err)
		}
		i := int(fromMs(start).Sub(first) / step)
		if i < 0 || i >= n {
			continue // a rollup not aligned to its period; none are written
		}
		out[i] = Bucket{Start: out[i].Start, Runs: runs, Failed: failed, P50: h.quantile(0.50), P95: h.quantile(0.95)}
	}
	return out, rows.Err()
}
