package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// Overview returns every check that has run, by name, in the light form the
// overview page needs, from one row per check (check_latest, check_state)
// and the open incidents:
//   - State has Check, Status, Since, Severity, Failing, Flapping and the
//     open Incident; streaks, snapshots and flap history are left out
//     (State(ctx, check) has them).
//   - Last has the run's ID, time and duration and per probe its kind; for a
//     failed run also its method, URL and failed assertions. Runs has the
//     full evidence.
func (s *Store) Overview(ctx context.Context) ([]CheckSummary, error) {
	if err := s.syncRollups(ctx); err != nil {
		return nil, err
	}
	open, err := s.openIncidents(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT cn.name, l.run_id, l.started_ms, l.duration_us, l.passed, l.kinds,
		CASE WHEN l.passed <> 0 THEN '' ELSE l.verdict END, ifnull(st.status, ''), ifnull(st.since_ms, 0), ifnull(st.severity, ''),
		ifnull(st.failing, ''), ifnull(st.flapping, 0)
		FROM check_latest l JOIN check_names cn ON cn.id = l.check_id
		LEFT JOIN check_state st ON st.check_name = cn.name
		ORDER BY cn.name`)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer rows.Close()
	var out []CheckSummary
	kinds := map[string][]checks.ProbeResult{} // passing runs with the same kinds share one slice
	for rows.Next() {
		var sum CheckSummary
		run := &Run{}
		var started, dur, since int64
		var passed bool
		var status, sev string
		var kindList, verdict, failing sql.RawBytes // only read before the next row
		if err := rows.Scan(&sum.Name, &run.ID, &started, &dur, &passed, &kindList, &verdict,
			&status, &since, &sev, &failing, &sum.State.Flapping); err != nil {
			return nil, fmt.Errorf("overview: %w", err)
		}
		run.Check, run.Started, run.Duration = sum.Name, fromMs(started), time.Duration(dur)*time.Microsecond
		if passed {
			run.Probes = kinds[string(kindList)]
			if run.Probes == nil {
				run.Probes = probeKinds(string(kindList))
				kinds[string(kindList)] = run.Probes
			}
		} else if err := json.Unmarshal(verdict, &run.Probes); err != nil {
			return nil, fmt.Errorf("overview: decode run %d: %w", run.ID, err)
		}
		sum.Last = run
		sum.State.Check, sum.State.Status, sum.State.Since = sum.Name, alert.Status(status), fromMs(since)
		sum.State.Severity = checks.ParseSeverity(sev)
		if len(failing) > 0 {
			sum.State.Failing = strings.Split(string(failing), ",")
		}
		sum.State.Incident = open[sum.Name]
		out = append(out, sum)
	}
	return out, rows.Err()
}

// probeKinds turns check_latest.kinds into probes that passed.
func probeKinds(list string) []checks.ProbeResult {
	if list == "" {
		return []checks.ProbeResult{}
	}
	names := strings.Split(list, ",")
	out := make([]checks.ProbeResult, len(names))
	for i, n := range names {
		out[i].Kind = checks.ProbeKind(n)
	}
	return out
}

// openIncidents maps check names to their open incident.
func (s *Store) openIncidents(ctx context.Context) (map[string]*alert.Incident, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT check_name, incident_json FROM incidents WHERE resolved_ms = 0`)
	if err != nil {
		return nil, fmt.Errorf("open incidents: %w", err)
	}
	defer rows.Close()
	out := map[string]*alert.Incident{}
	for rows.Next() {
		var name, body string
		if err := rows.Scan(&name, &body); err != nil {
			return nil, fmt.Errorf("open incidents: %w", err)
		}
		inc := &alert.Incident{}
		if err := json.Unmarshal([]byte(body), inc); err != nil {
			return nil, fmt.Errorf("open incidents: decode: %w", err)
		}
		if cur := out[name]; cur == nil || cur.Opened.Before(inc.Opened) {
			out[name] = inc // one open incident per check; the newest if ever two
		}
	}
	return out, rows.Err()
}

// CheckRecent is a check's recent history as the overview shows it.
type CheckRecent struct {
	Name string
	// Day, Week and Month are the 24 h, 7 d and 30 d windows of Stats, from
	// the same rollups (so the same figures); only Day has percentiles.
	Day, Week, Month Window
	// Hours are the 24 hours up to now, one bucket each, oldest first: the
	// last is the current hour.
	Hours []Bucket
}

// Recent returns the recent history of every check that has run, by check
// id, from two short rows per check: its strip (check_recent) and the copy
// of the strip's hour kept in check_latest (see recent.go). now ends the
// windows; it must not be before the latest run (a strip holds the 24 hours
// before its check's newest hour, not any 24 hours).
func (s *Store) Recent(ctx context.Context, now time.Time) ([]CheckRecent, error) {
	if err := s.syncRollups(ctx); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT cr.check_id, cn.name, cr.hour_ms, cr.strip,
		ifnull(l.hour_ms, -1), ifnull(l.hour_runs, 0), ifnull(l.hour_failures, 0), l.hour_hist
		FROM check_recent cr JOIN check_names cn ON cn.id = cr.check_id
		LEFT JOIN check_latest l ON l.check_id = cr.check_id`)
	if err != nil {
		return nil, fmt.Errorf("recent history: %w", err)
	}
	defer rows.Close()
	f := newRecentFolder(now)
	var stray []strayHour
	for rows.Next() {
		var id, latestHour int64
		var name string
		var blob, hourHist sql.RawBytes // only read before the next row
		var hour stripSlot
		if err := rows.Scan(&id, &name, &f.v.hour, &blob, &latestHour, &hour.runs, &hour.failures, &hourHist); err != nil {
			return nil, fmt.Errorf("recent history: %w", err)
		}
		if latestHour != f.v.hour { // not kept together: read the hour's rollup after this query
			stray = append(stray, strayHour{id: id, name: name, hour: f.v.hour, strip: bytes.Clone(blob)})
			continue
		}
		if err := f.add(name, blob, hour, hourHist); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent history: %w", err)
	}
	rows.Close()
	if len(stray) > 0 {
		if err := s.syncRollups(ctx); err != nil {
			return nil, err
		}
	}
	for _, sh := range stray {
		var hour stripSlot
		var hourHist []byte
		err := s.r.QueryRowContext(ctx, `SELECT runs, failures, hist FROM rollups
			WHERE check_id = ? AND period = 0 AND start_ms = ?`, sh.id, sh.hour).Scan(&hour.runs, &hour.failures, &hourHist)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("recent history of %s: %w", sh.name, err)
		}
		f.v.hour = sh.hour
		if err := f.add(sh.name, sh.strip, hour, hourHist); err != nil {
			return nil, err
		}
	}
	return f.out, nil
}

// strayHour is a check whose strip and hour copy disagree, which the writer
// never leaves: its hour is read from the rollups instead.
type strayHour struct {
	id, hour int64
	name     string
	strip    []byte
}

// recentFolder turns strips into CheckRecents, reusing its buffers.
type recentFolder struct {
	w     windows
	rd    *stripReader
	v     stripView
	cur   hist
	hours []Bucket // the Hours of the next checks, allocated together
	out   []CheckRecent
}

func newRecentFolder(now time.Time) *recentFolder {
	return &recentFolder{w: newWindows(now), rd: newStripReader(), cur: newHist(), out: make([]CheckRecent, 0, 64)}
}

// add folds one check: f.v.hour is its strip's hour, blob the strip, hour
// and hist the rollup of that hour.
func (f *recentFolder) add(name string, blob []byte, hour stripSlot, hist []byte) error {
	if err := f.rd.decode(blob, &f.v); err != nil {
		return fmt.Errorf("recent history of %s: %w", name, err)
	}
	if hour.runs > 0 {
		if err := decodeHistInto(hist, f.cur); err != nil {
			return fmt.Errorf("recent history of %s: %w", name, err)
		}
		hour.h = f.cur
	}
	if len(f.hours) == 0 {
		f.hours = make([]Bucket, 64*recentHours)
	}
	rec, err := f.w.fold(&f.v, hour, f.hours[:recentHours:recentHours])
	f.hours = f.hours[recentHours:]
	if err != nil {
		return fmt.Errorf("recent history of %s: %w", name, err)
	}
	rec.Name = name
	f.out = append(f.out, rec)
	return nil
}

// windows are the bounds, in ms, of the overview's windows ending now, as
// Stats draws them: the 24-hour window from the hour holding now-24h, the
// 7- and 30-day ones from the UTC day holding now-7d and now-30d; the hourly
// buckets from 23 hours before the current hour.
type windows struct {
	day, week, month int64
	firstBucket      int64
	starts           [recentHours]time.Time // of the buckets
}

func newWindows(now time.Time) windows {
	w := windows{
		day:         ms(now.Add(-24 * time.Hour).Truncate(time.Hour)),
		week:        ms(now.Add(-7 * 24 * time.Hour).Truncate(24 * time.Hour)),
		month:       ms(now.Add(-30 * 24 * time.Hour).Truncate(24 * time.Hour)),
		firstBucket: ms(now.Truncate(time.Hour)) - (recentHours-1)*hourMs,
	}
	for i := range w.starts {
		w.starts[i] = fromMs(w.firstBucket + int64(i)*hourMs)
	}
	return w
}

// fold sums a strip and the rollup of its hour into the windows. Nothing of
// the check is newer than the strip's hour (see recent.go), so these are all
// the rollups the windows hold. The hour's day, not in the strip yet, is the
// sum of its hours, which the strip holds. v.total is consumed.
func (w *windows) fold(v *stripView, hour stripSlot, buckets []Bucket) (CheckRecent, error) {
	rec := CheckRecent{
		Day:   Window{Span: 24 * time.Hour},
		Week:  Window{Span: 7 * 24 * time.Hour},
		Month: Window{Span: 30 * 24 * time.Hour},
		Hours: buckets,
	}
	for i := range rec.Hours {
		rec.Hours[i] = Bucket{Start: w.starts[i]}
	}
	bucket := func(start int64) *Bucket {
		if i := (start - w.firstBucket) / hourMs; start >= w.firstBucket && i < recentHours {
			return &rec.Hours[i]
		}
		return nil
	}
	first := floorTo(v.hour, dayMs)
	today := stripSlot{runs: hour.runs, failures: hour.failures}
	var gone hist // an hour of the strip that has left the 24-hour window
	for i, hr := range v.hours {
		if hr.runs == 0 {
			continue
		}
		start := v.hour - int64(recentHours-i)*hourMs
		if start >= first {
			today.runs, today.failures = today.runs+hr.runs, today.failures+hr.failures
		}
		if start >= w.day {
			rec.Day.Runs, rec.Day.Failed = rec.Day.Runs+hr.runs, rec.Day.Failed+hr.failures
		} else {
			if gone == nil {
				gone = newHist()
			}
			if err := decodeSparseInto(hr.hist, gone); err != nil {
				return CheckRecent{}, err
			}
			v.total.subtract(gone)
		}
		if b := bucket(start); b != nil {
			b.Runs, b.Failed, b.P50, b.P95 = hr.runs, hr.failures, hr.p50, hr.p95
		}
	}
	if hour.runs > 0 {
		if v.hour >= w.day {
			rec.Day.Runs, rec.Day.Failed = rec.Day.Runs+hour.runs, rec.Day.Failed+hour.failures
			v.total.merge(hour.h)
		}
		if b := bucket(v.hour); b != nil {
			b.Runs, b.Failed, b.P50, b.P95 = hour.runs, hour.failures, hour.h.quantile(0.50), hour.h.quantile(0.95)
		}
	}
	day := func(start int64, sl stripSlot) {
		if start >= w.week {
			rec.Week.Runs, rec.Week.Failed = rec.Week.Runs+sl.runs, rec.Week.Failed+sl.failures
		}
		if start >= w.month {
			rec.Month.Runs, rec.Month.Failed = rec.Month.Runs+sl.runs, rec.Month.Failed+sl.failures
		}
	}
	for i, sl := range v.days {
		day(first-int64(recentDays-i)*dayMs, sl)
	}
	day(first, today)
	if rec.Day.Runs > 0 {
		rec.Day.P50, rec.Day.P95, rec.Day.P99 = v.total.quantile(0.50), v.total.quantile(0.95), v.total.quantile(0.99)
	}
	return rec, nil
}
