package store

import (
	"context"
	"fmt"
	"time"
)

// Window is one span of history summarised from the rollups.
type Window struct {
	Span          time.Duration
	Runs, Failed  int64
	P50, P95, P99 time.Duration
}

// Uptime is the share of passing runs, in percent; 100 with no runs.
func (w Window) Uptime() float64 {
	if w.Runs == 0 {
		return 100
	}
	return 100 * float64(w.Runs-w.Failed) / float64(w.Runs)
}

// StatWindows are the spans the dashboard shows.
var StatWindows = []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 365 * 24 * time.Hour}

// Stats summarises a check's history over each span ending now, from the
// rollups alone: hourly ones for a day, daily ones beyond (whole days, so a
// 7-day window covers the last 7 calendar days in UTC, today included).
func (s *Store) Stats(ctx context.Context, check string, spans []time.Duration) ([]Window, error) {
	if err := s.syncRollups(ctx); err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Window, len(spans))
	for i, span := range spans {
		period, from := 1, now.Add(-span).Truncate(24*time.Hour)
		if span <= 48*time.Hour {
			period, from = 0, now.Add(-span).Truncate(time.Hour)
		}
		w, err := s.window(ctx, check, period, from)
		if err != nil {
			return nil, err
		}
		w.Span = span
		out[i] = w
	}
	return out, nil
}

func (s *Store) window(ctx context.Context, check string, period int, from time.Time) (Window, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT runs, failures, hist FROM rollups
		WHERE check_id = (SELECT id FROM check_names WHERE name = ?) AND period = ? AND start_ms >= ?`,
		check, period, ms(from))
	if err != nil {
		return Window{}, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	var w Window
	total := newHist()
	for rows.Next() {
		var runs, failed int64
		var blob []byte
		if err := rows.Scan(&runs, &failed, &blob); err != nil {
			return Window{}, fmt.Errorf("stats: %w", err)
		}
		h, err := decodeHist(blob)
		if err != nil {
			return Window{}, fmt.Errorf("stats: %w", err)
		}
		w.Runs, w.Failed = w.Runs+runs, w.Failed+failed
		total.merge(h)
	}
	w.P50, w.P95, w.P99 = total.quantile(0.50), total.quantile(0.95), total.quantile(0.99)
	return w, rows.Err()
}
