package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"
)

// A check's recent history in one check_recent row: a "strip" packing the
// hourly rollups of the 24 hours and the daily ones of the 30 days before the
// row's hour. With check_latest's copy of that hour's rollup, the overview
// reads two short rows per check instead of 55 rollups: at 1,000 checks,
// summing rollups was most of the page's time.
//
// Invariant, kept in the transaction that merges the rollups: a check's row
// hour is the newest hour holding any of its runs (refreshRecent moves the
// row along when runs reach the next hour, and rebuilds it from the rollups
// when they reach a later one or land in one the strip holds), and
// check_latest's copy is that hour's rollup (writeLatest keeps it).
// Hence no rollup of the check is newer than the row's hour, and the two
// rows give every window ending now. The day of the row's hour is not in
// the strip: its hours are.

const (
	recentHours  = 24 // hourly rollups in a strip: the overview's 24-hour window
	recentDays   = 30 // daily rollups in a strip: its 30-day window
	stripVersion = 1

	hourMs = int64(time.Hour / time.Millisecond)
	dayMs  = 24 * hourMs
)

// stripSlot is one rollup of a strip; h is nil for days and for empty hours.
type stripSlot struct {
	runs, failures int64
	h              hist
}

type strip struct {
	hour  int64                  // ms: the hour it was built at
	hours [recentHours]stripSlot // hour-24h … hour-1h
	days  [recentDays]stripSlot  // day-30d … day-1d, day being hour's UTC day
	cur   stripSlot              // the hour itself: check_latest keeps it current
}

// floorTo rounds ms down to a multiple of step, also before 1970.
func floorTo(ms, step int64) int64 {
	r := ms % step
	if r < 0 {
		r += step
	}
	return ms - r
}

// encode packs a strip as uvarints, with what the overview would otherwise
// compute on every page view worked out once here:
//
//	version
//	per hour: runs; if any: failures, p50 µs, p95 µs, histogram length, histogram
//	per day: runs; if any: failures
//	the histogram of all the hours together
//
// Histograms are sparse here, the count of non-empty buckets and then each
// one's index and count: an hour of a steady check fills one or two of the
// 30 buckets.
//
// A reader skips the hourly histograms unless an hour has left its window.
func (s *strip) encode() []byte {
	buf := make([]byte, 0, 64+recentHours*12+recentDays*4)
	buf = append(buf, stripVersion)
	total := newHist()
	for _, sl := range s.hours {
		buf = binary.AppendUvarint(buf, uint64(sl.runs))
		if sl.runs == 0 {
			continue
		}
		total.merge(sl.h)
		h := sl.h.appendSparse(nil)
		for _, v := range []uint64{uint64(sl.failures), uint64(sl.h.quantile(0.50).Microseconds()),
			uint64(sl.h.quantile(0.95).Microseconds()), uint64(len(h))} {
			buf = binary.AppendUvarint(buf, v)
		}
		buf = append(buf, h...)
	}
	for _, sl := range s.days {
		buf = binary.AppendUvarint(buf, uint64(sl.runs))
		if sl.runs > 0 {
			buf = binary.AppendUvarint(buf, uint64(sl.failures))
		}
	}
	return total.appendSparse(buf)
}

var errCorruptStrip = errors.New("corrupt recent-history row")

// stripHour is one hour of a decoded strip; hist still encoded.
type stripHour struct {
	runs, failures int64
	p50, p95       time.Duration
	hist           []byte
}

// stripView is a decoded strip. Its hourly histograms alias the row's bytes
// and total the reader's buffer: valid until the next decode.
type stripView struct {
	hour  int64
	hours [recentHours]stripHour
	days  [recentDays]stripSlot
	total hist // all the hours together
}

// stripReader decodes strips into a histogram it reuses, so that reading
// 1,000 strips allocates next to nothing.
type stripReader struct{ total hist }

func newStripReader() *stripReader { return &stripReader{total: newHist()} }

func (rd *stripReader) decode(b []byte, v *stripView) error {
	if len(b) == 0 || b[0] != stripVersion {
		return errCorruptStrip
	}
	u := uvarints{b: b[1:]}
	for i := range v.hours {
		hr := &v.hours[i]
		*hr = stripHour{runs: u.next()}
		if hr.runs == 0 {
			continue
		}
		hr.failures = u.next()
		hr.p50, hr.p95 = time.Duration(u.next())*time.Microsecond, time.Duration(u.next())*time.Microsecond
		if hr.hist = u.bytes(u.next()); u.bad {
			return errCorruptStrip
		}
	}
	for i := range v.days {
		v.days[i] = stripSlot{runs: u.next()}
		if v.days[i].runs > 0 {
			v.days[i].failures = u.next()
		}
	}
	u.sparseInto(rd.total)
	if u.bad {
		return errCorruptStrip
	}
	v.total = rd.total
	return nil
}

// uvarints reads a run of uvarints; bad is set, and zeros returned, once the
// input runs out or does not parse.
type uvarints struct {
	b   []byte
	bad bool
}

func (u *uvarints) next() int64 {
	if len(u.b) > 0 && u.b[0] < 0x80 { // most counts fit one byte
		v := int64(u.b[0])
		u.b = u.b[1:]
		return v
	}
	x, n := binary.Uvarint(u.b)
	if n <= 0 {
		u.bad, u.b = true, nil
		return 0
	}
	u.b = u.b[n:]
	return int64(x)
}

func (u *uvarints) bytes(n int64) []byte {
	if n < 0 || n > int64(len(u.b)) {
		u.bad, u.b = true, nil
		return nil
	}
	out := u.b[:n]
	u.b = u.b[n:]
	return out
}

// appendSparse appends h as its number of non-empty buckets, then index and
// count of each.
func (h hist) appendSparse(b []byte) []byte {
	n := 0
	for _, c := range h {
		if c > 0 {
			n++
		}
	}
	b = binary.AppendUvarint(b, uint64(n))
	for i, c := range h {
		if c > 0 {
			b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(i)), c)
		}
	}
	return b
}

// sparseInto reads a sparse histogram into h (cleared first).
func (u *uvarints) sparseInto(h hist) {
	clear(h)
	n := u.next()
	for range n {
		i, c := u.next(), u.next()
		if u.bad || i < 0 || i >= int64(len(h)) {
			u.bad = true
			return
		}
		h[i] = uint64(c)
	}
}

// decodeSparseInto reads one sparse histogram from b into h.
func decodeSparseInto(b []byte, h hist) error {
	u := uvarints{b: b}
	if u.sparseInto(h); u.bad || len(u.b) != 0 {
		return errCorruptStrip
	}
	return nil
}

// decodeHistInto is decodeHist into a histogram the caller reuses.
func decodeHistInto(b []byte, h hist) error {
	for i := range h {
		c, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("corrupt latency histogram")
		}
		h[i], b = c, b[n:]
	}
	return nil
}

// subtract takes o's counts out of h; never below zero, whatever o holds.
func (h hist) subtract(o hist) {
	for i := range h {
		if i < len(o) {
			h[i] -= min(h[i], o[i])
		}
	}
}

// rowsQuerier runs multi-row queries: a *sql.Tx.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// buildStrip reads the rollups a strip at hour holds, and that hour's.
func buildStrip(ctx context.Context, q rowsQuerier, check, hour int64) (*strip, error) {
	s := &strip{hour: hour}
	day := floorTo(hour, dayMs)
	hours := make([]stripSlot, recentHours+1)
	spans := []struct {
		period   int
		from, to int64
		step     int64
		slots    []stripSlot
	}{
		{0, hour - recentHours*hourMs, hour + hourMs, hourMs, hours},
		{1, day - recentDays*dayMs, day, dayMs, s.days[:]},
	}
	for _, sp := range spans {
		rows, err := q.QueryContext(ctx, `SELECT start_ms, runs, failures, hist FROM rollups
			WHERE check_id = ? AND period = ? AND start_ms >= ? AND start_ms < ?`, check, sp.period, sp.from, sp.to)
		if err != nil {
			return nil, fmt.Errorf("recent history: %w", err)
		}
		for rows.Next() {
			var start, runs, failures int64
			var blob []byte
			if err := rows.Scan(&start, &runs, &failures, &blob); err != nil {
				rows.Close()
				return nil, fmt.Errorf("recent history: %w", err)
			}
			sl := &sp.slots[(start-sp.from)/sp.step]
			sl.runs, sl.failures = runs, failures
			if sp.period == 0 && runs > 0 {
				if sl.h, err = decodeHist(blob); err != nil {
					rows.Close()
					return nil, fmt.Errorf("recent history: %w", err)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("recent history: %w", err)
		}
	}
	copy(s.hours[:], hours)
	s.cur = hours[recentHours]
	return s, nil
}

// shiftStrip builds the strip of the hour after at from the strip at at:
// its hours move back by one and the hour at joins them, and when the day
// changes too, at's day joins the days. Every check's strip moves when the
// hour changes; building each again from its 54 rollups made that one
// write take seconds at 10,000 checks. It returns nil, to build the strip
// from the rollups instead, when the check has no strip at at, its row
// does not decode, or retention prunes rollups within a strip's span.
func (w *batchWriter) shiftStrip(ctx context.Context, check, at int64) (*strip, error) {
	if r := w.s.pruning.Load(); r != nil && (prunesWithin(r.Hourly, (recentHours+2)*hourMs) ||
		prunesWithin(r.Daily, (recentDays+2)*dayMs)) {
		return nil, nil // the strip may hold rollups pruning deleted since it was built
	}
	var blob []byte
	err := w.QueryRowContext(ctx, `SELECT strip FROM check_recent WHERE check_id = ? AND hour_ms = ?`,
		check, at).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("recent history: %w", err)
	}
	var v stripView
	if newStripReader().decode(blob, &v) != nil {
		return nil, nil
	}
	s := &strip{hour: at + hourMs, days: v.days}
	for i, hr := range v.hours[1:] {
		s.hours[i] = stripSlot{runs: hr.runs, failures: hr.failures}
		if hr.runs > 0 {
			s.hours[i].h = newHist()
			if decodeSparseInto(hr.hist, s.hours[i].h) != nil {
				return nil, nil
			}
		}
	}
	last, err := w.rollupNow(ctx, rollKey{check: check, period: 0, start: at})
	if err != nil {
		return nil, err
	}
	if last != nil && last.runs > 0 {
		s.hours[recentHours-1] = stripSlot{runs: last.runs, failures: last.failures, h: slices.Clone(last.hist())}
	}
	if day := floorTo(at, dayMs); floorTo(s.hour, dayMs) != day {
		copy(s.days[:], v.days[1:])
		s.days[recentDays-1] = stripSlot{}
		d, err := w.rollupNow(ctx, rollKey{check: check, period: 1, start: day})
		if err != nil {
			return nil, err
		}
		if d != nil {
			s.days[recentDays-1] = stripSlot{runs: d.runs, failures: d.failures}
		}
	}
	stripsShifted.Add(1)
	return s, nil
}

// rollupNow is rollup k with this batch's runs: merged when the batch
// wrote its rollups itself (SeedHistory, PostgreSQL), else as baseRollup
// finds it (pending in memory, cached, or stored).
func (w *batchWriter) rollupNow(ctx context.Context, k rollKey) (*rollAgg, error) {
	if a, ok := w.merged[k]; ok {
		return a, nil
	}
	return w.baseRollup(ctx, w, k)
}

// prunesWithin says whether a retention of keep deletes rollups younger
// than span: a moved strip could then keep what is gone (0 keeps forever).
func prunesWithin(keep time.Duration, span int64) bool {
	return keep > 0 && keep.Milliseconds() <= span
}

// stripsShifted counts the strips shiftStrip built, for tests.
var stripsShifted atomic.Int64

func writeStrip(ctx context.Context, q querier, check int64, s *strip) error {
	_, err := q.ExecContext(ctx, `INSERT INTO check_recent (check_id, hour_ms, strip) VALUES (?, ?, ?)
		ON CONFLICT (check_id) DO UPDATE SET hour_ms = excluded.hour_ms, strip = excluded.strip`,
		check, s.hour, s.encode())
	if err != nil {
		return fmt.Errorf("recent history: %w", err)
	}
	return nil
}

// recentSpan is what runs not yet in a check's strip reached: the newest
// hour, the oldest hour and the oldest day.
type recentSpan struct{ newest, oldestHour, oldestDay int64 }

// addSpans widens spans by the rollups of roll.
func addSpans(spans map[int64]*recentSpan, roll map[rollKey]*rollAgg) {
	for k := range roll {
		sp := spans[k.check]
		if sp == nil {
			sp = &recentSpan{newest: math.MinInt64, oldestHour: math.MaxInt64, oldestDay: math.MaxInt64}
			spans[k.check] = sp
		}
		if k.period == 0 {
			sp.newest, sp.oldestHour = max(sp.newest, k.start), min(sp.oldestHour, k.start)
		} else {
			sp.oldestDay = min(sp.oldestDay, k.start)
		}
	}
}

// refreshRecent keeps the strip invariant for the checks whose runs reached
// touched: it moves a check's strip along (shiftStrip) when they reached
// the next hour, and rebuilds it from the rollups when they reached a later
// one or fell into an hour or day the strip holds (a late run). That is
// about once per check per hour.
func (w *batchWriter) refreshRecent(ctx context.Context, touched map[int64]*recentSpan) error {
	for check, sp := range touched {
		at, err := w.recentHour(ctx, check)
		if err != nil {
			return err
		}
		target := max(at, sp.newest)
		if target == at && sp.oldestHour >= at && sp.oldestDay >= floorTo(at, dayMs) {
			continue // the batch only added to the strip's own hour and day
		}
		if err := w.writeAllRollups(ctx); err != nil { // the strip is built from them
			return err
		}
		var s *strip
		if target == at+hourMs && sp.oldestHour >= at && sp.oldestDay >= floorTo(at, dayMs) {
			if s, err = w.shiftStrip(ctx, check, at); err != nil {
				return err
			}
		}
		if s == nil {
			if s, err = buildStrip(ctx, w, check, target); err != nil {
				return err
			}
		}
		if err := writeStrip(ctx, w, check, s); err != nil {
			return err
		}
		w.recent[check] = target
	}
	return nil
}

// recentHour is the hour of a check's strip: staged by this batch, cached,
// or read (0 when it has none).
func (w *batchWriter) recentHour(ctx context.Context, check int64) (int64, error) {
	if at, ok := w.recent[check]; ok {
		return at, nil
	}
	if at, ok := w.s.recentAt[check]; ok && !w.s.Shared() {
		return at, nil
	}
	var at int64
	err := w.QueryRowContext(ctx, `SELECT hour_ms FROM check_recent WHERE check_id = ?`, check).Scan(&at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("recent history: %w", err)
	}
	w.recent[check] = at
	return at, nil
}

// backfillRecent builds the strip of every check that has hourly rollups,
// at the hour of its newest one (migration 6).
func backfillRecent(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, (SELECT max(start_ms) FROM rollups
		WHERE check_id = check_names.id AND period = 0) FROM check_names`)
	if err != nil {
		return fmt.Errorf("backfill recent history: %w", err)
	}
	type due struct{ check, hour int64 }
	var all []due
	for rows.Next() {
		var d due
		var hour sql.NullInt64
		if err := rows.Scan(&d.check, &hour); err != nil {
			rows.Close()
			return fmt.Errorf("backfill recent history: %w", err)
		}
		if hour.Valid {
			d.hour = hour.Int64
			all = append(all, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill recent history: %w", err)
	}
	for _, d := range all {
		s, err := buildStrip(ctx, tx, d.check, d.hour)
		if err != nil {
			return err
		}
		if err := writeStrip(ctx, tx, d.check, s); err != nil {
			return err
		}
		h := s.cur.h
		if h == nil {
			h = newHist()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE check_latest SET hour_ms = ?, hour_runs = ?, hour_failures = ?,
			hour_hist = ? WHERE check_id = ?`, s.hour, s.cur.runs, s.cur.failures, h.encode(), d.check); err != nil {
			return fmt.Errorf("backfill recent history: %w", err)
		}
	}
	return nil
}
