package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A fleet is several monitors sharing one PostgreSQL database. Each
// registers in instances and heartbeats; the schedule table holds one row
// per (check, location) that instances of that location claim slot by slot
// (ClaimSlots), so each slot runs once fleet-wide; slot_runs rejects a
// second result for a slot. Everything uses the database's clock and only
// transaction-scoped locks, so it works behind PgBouncer in transaction
// mode. A single monitor on SQLite registers too (the dashboard lists it)
// but schedules in memory.

// ErrSlotTaken is returned by RecordRun for a run whose (check, location,
// slot) another run already recorded: a late writer, dropped.
var ErrSlotTaken = errors.New("slot already recorded by another run")

// LiveWindow is how long after its last heartbeat an instance counts as
// live: it takes part in choosing the fleet's config and its location
// counts as served.
const LiveWindow = 15 * time.Second

// instanceKeep is how long an instance's row stays after it was last seen:
// the dashboard shows it as gone, and its location stays known (stale)
// for checks that run everywhere.
const instanceKeep = 24 * time.Hour

// dbNowSQL reads the database's clock in unix ms.
var dbNowSQL = map[Dialect]string{
	SQLite:   `CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
	Postgres: `(extract(epoch from clock_timestamp()) * 1000)::bigint`,
}

// forUpdateSkipLocked is the row-locking clause of a claim: SQLite has one
// writer and no row locks.
var forUpdateSkipLocked = map[Dialect]string{SQLite: ``, Postgres: ` FOR UPDATE SKIP LOCKED`}

// idleInTx bounds how long a fleet's transaction may sit idle on the
// server: an instance stalled (GC, a frozen VM, SIGSTOP) in the middle of
// one is cut off after it, so the per-check locks and claimed rows it
// holds never stop the rest of the fleet for longer. It is set per
// transaction (set_config(..., true) is SET LOCAL), so PgBouncer's
// transaction mode keeps no session state.
const idleInTx = "3s"

// guardSQL sets idleInTx for the transaction it runs in.
const guardSQL = `set_config('idle_in_transaction_session_timeout', '` + idleInTx + `', true)`

// guardTx bounds the transaction tx's idle time on PostgreSQL.
func (s *Store) guardTx(ctx context.Context, tx querier) error {
	if s.dial != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT `+guardSQL); err != nil {
		return fmt.Errorf("transaction: %w", err)
	}
	return nil
}

// Shared reports whether several monitors may write this database at once
// (PostgreSQL): per-check caches are then not trusted across batches.
func (s *Store) Shared() bool { return s.dial == Postgres }

// dbNow reads the database's clock, in unix ms, through q.
func (s *Store) dbNow(ctx context.Context, q querier) (int64, error) {
	var now int64
	if err := q.QueryRowContext(ctx, `SELECT `+dbNowSQL[s.dial]).Scan(&now); err != nil {
		return 0, fmt.Errorf("database clock: %w", err)
	}
	return now, nil
}

// Instance is one monitor process of the fleet.
type Instance struct {
	ID, Location, Version, ConfigSHA string
	Started, Loaded, Seen            time.Time
	SlotsRun, SlotsSkipped           int64
	LateP50, LateP99                 time.Duration
	// Claiming is whether it takes slots; Note says why not.
	Claiming bool
	Note     string
	// Live: seen within LiveWindow of the database's clock when read.
	Live bool
}

// Heartbeat is what an instance reports about itself every few seconds.
type Heartbeat struct {
	ID, Location, Version, ConfigSHA string
	SlotsRun, SlotsSkipped           int64
	LateP50, LateP99                 time.Duration
	Claiming                         bool
	Note                             string
}

// FleetView is the fleet as one heartbeat found it.
type FleetView struct {
	Now       time.Time  // the database's clock
	ConfigSHA string     // the fleet's config: that of most live instances
	Live      []Instance // live instances, this one included
	Known     []Instance // every instance seen within the last day, live or gone
}

// Locations lists the distinct locations of the live instances.
func (v FleetView) Locations() []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range v.Live {
		if !seen[in.Location] {
			seen[in.Location] = true
			out = append(out, in.Location)
		}
	}
	sort.Strings(out)
	return out
}

// Beat registers or refreshes instance hb.ID and returns the fleet as it
// stands. An instance that changed its config hash is stamped as loaded
// now: among equally many live instances, the newest config wins.
func (s *Store) Beat(ctx context.Context, hb Heartbeat) (FleetView, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return FleetView{}, fmt.Errorf("heartbeat: %w", err)
	}
	defer tx.Rollback()
	if err := s.guardTx(ctx, tx); err != nil {
		return FleetView{}, fmt.Errorf("heartbeat: %w", err)
	}
	now, err := s.dbNow(ctx, tx)
	if err != nil {
		return FleetView{}, fmt.Errorf("heartbeat: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO instances (id, location, version, config_sha, started_ms, loaded_ms,
		seen_ms, slots_run, slots_skipped, late_p50_ms, late_p99_ms, claiming, note)
		VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
		ON CONFLICT (id) DO UPDATE SET location = excluded.location, version = excluded.version,
		loaded_ms = CASE WHEN instances.config_sha = excluded.config_sha THEN instances.loaded_ms ELSE excluded.seen_ms END,
		config_sha = excluded.config_sha, seen_ms = excluded.seen_ms, slots_run = excluded.slots_run,
		slots_skipped = excluded.slots_skipped, late_p50_ms = excluded.late_p50_ms,
		late_p99_ms = excluded.late_p99_ms, claiming = excluded.claiming, note = excluded.note`,
		hb.ID, hb.Location, hb.Version, hb.ConfigSHA, now, hb.SlotsRun, hb.SlotsSkipped,
		hb.LateP50.Milliseconds(), hb.LateP99.Milliseconds(), hb.Claiming, hb.Note)
	if err != nil {
		return FleetView{}, fmt.Errorf("heartbeat: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE seen_ms < ?`, now-instanceKeep.Milliseconds()); err != nil {
		return FleetView{}, fmt.Errorf("heartbeat: %w", err)
	}
	all, err := scanInstances(ctx, tx, now)
	if err != nil {
		return FleetView{}, err
	}
	if err := tx.Commit(); err != nil {
		return FleetView{}, fmt.Errorf("heartbeat: %w", err)
	}
	v := FleetView{Now: time.UnixMilli(now).UTC(), Known: all}
	for _, in := range all {
		if in.Live {
			v.Live = append(v.Live, in)
		}
	}
	v.ConfigSHA = fleetConfig(v.Live)
	return v, nil
}

// fleetConfig is the config hash most live instances run. A tie goes to
// the config the fleet runs now (that of instances claiming), so that a
// stale file restarted beside one good instance never takes over; with no
// incumbent, to the one loaded last. A rolled-out config takes over once
// more than half the fleet runs it.
func fleetConfig(live []Instance) string {
	type tally struct {
		n, claiming int
		loaded      time.Time
	}
	t := map[string]*tally{}
	for _, in := range live {
		c := t[in.ConfigSHA]
		if c == nil {
			c = &tally{}
			t[in.ConfigSHA] = c
		}
		c.n++
		if in.Claiming {
			c.claiming++
		}
		if in.Loaded.After(c.loaded) {
			c.loaded = in.Loaded
		}
	}
	better := func(a, b *tally) bool { // a before b
		switch {
		case a.n != b.n:
			return a.n > b.n
		case (a.claiming > 0) != (b.claiming > 0):
			return a.claiming > 0
		}
		return a.loaded.After(b.loaded)
	}
	best := ""
	for sha, c := range t {
		if best == "" || better(c, t[best]) || (!better(t[best], c) && sha < best) {
			best = sha
		}
	}
	return best
}

// Instances lists every instance seen within the last day, live ones
// first, by location and id.
func (s *Store) Instances(ctx context.Context) ([]Instance, error) {
	now, err := s.dbNow(ctx, s.r)
	if err != nil {
		return nil, fmt.Errorf("instances: %w", err)
	}
	return scanInstances(ctx, s.r, now)
}

type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func scanInstances(ctx context.Context, q rowsQueryer, now int64) ([]Instance, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, location, version, config_sha, started_ms, loaded_ms, seen_ms,
		slots_run, slots_skipped, late_p50_ms, late_p99_ms, claiming, note FROM instances
		ORDER BY seen_ms < ? , location, id`, now-LiveWindow.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("instances: %w", err)
	}
	defer rows.Close()
	var out []Instance
	for rows.Next() {
		var in Instance
		var started, loaded, seen, p50, p99 int64
		if err := rows.Scan(&in.ID, &in.Location, &in.Version, &in.ConfigSHA, &started, &loaded, &seen,
			&in.SlotsRun, &in.SlotsSkipped, &p50, &p99, &in.Claiming, &in.Note); err != nil {
			return nil, fmt.Errorf("instances: %w", err)
		}
		in.Started, in.Loaded, in.Seen = fromMs(started), fromMs(loaded), fromMs(seen)
		in.LateP50, in.LateP99 = time.Duration(p50)*time.Millisecond, time.Duration(p99)*time.Millisecond
		in.Live = seen >= now-LiveWindow.Milliseconds()
		out = append(out, in)
	}
	return out, rows.Err()
}

// SetClaiming records at once whether an instance claims slots and why not
// (the heartbeat reports it too, a beat later): the fleet's choice of
// config counts the instances that claim.
func (s *Store) SetClaiming(ctx context.Context, id string, claiming bool, note string) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE instances SET claiming = ?, note = ? WHERE id = ?`, claiming, note, id); err != nil {
		return fmt.Errorf("instance: %w", err)
	}
	return nil
}

// Leave removes an instance that stops cleanly: its location no longer
// counts as served by it, and the slots it held are released.
func (s *Store) Leave(ctx context.Context, id string) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE schedule SET lease_owner = '', lease_until_ms = 0 WHERE lease_owner = ?`, id); err != nil {
		return fmt.Errorf("leave: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM instances WHERE id = ?`, id); err != nil {
		return fmt.Errorf("leave: %w", err)
	}
	return nil
}

// ScheduleEntry is a check as one location's schedule knows it.
type ScheduleEntry struct {
	Check, Spec string
}

// SyncSchedule makes location's schedule rows those of entries: new checks
// get a row whose first slot is first(check, now); a changed spec restarts
// from its first slot; checks no longer listed lose their row. Every
// instance of the location with the fleet's config runs it at start and on
// reload; running it twice changes nothing.
func (s *Store) SyncSchedule(ctx context.Context, location string, entries []ScheduleEntry,
	first func(check string, now time.Time) time.Time) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sync schedule: %w", err)
	}
	defer tx.Rollback()
	if err := s.guardTx(ctx, tx); err != nil {
		return fmt.Errorf("sync schedule: %w", err)
	}
	now, err := s.dbNow(ctx, tx)
	if err != nil {
		return fmt.Errorf("sync schedule: %w", err)
	}
	t := time.UnixMilli(now).UTC()
	// Read first and write only what changed: an unchanged row is not even
	// locked. What is written is locked per check first, in one order, as
	// the writer does, so a sync and a batch recording the same checks'
	// slots never deadlock.
	have := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT check_name, spec FROM schedule WHERE location = ?`, location)
	if err != nil {
		return fmt.Errorf("sync schedule: %w", err)
	}
	for rows.Next() {
		var name, spec string
		if err := rows.Scan(&name, &spec); err != nil {
			rows.Close()
			return fmt.Errorf("sync schedule: %w", err)
		}
		have[name] = spec
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sync schedule: %w", err)
	}
	var set []ScheduleEntry
	var gone, touched []string
	want := map[string]bool{}
	for _, e := range entries {
		want[e.Check] = true
		if spec, ok := have[e.Check]; !ok || spec != e.Spec {
			set = append(set, e)
			touched = append(touched, e.Check)
		}
	}
	for name := range have {
		if !want[name] {
			gone = append(gone, name)
			touched = append(touched, name)
		}
	}
	if len(touched) == 0 {
		return nil
	}
	if s.dial == Postgres {
		if err := lockChecks(ctx, tx, touched); err != nil {
			return fmt.Errorf("sync schedule: %w", err)
		}
	}
	sort.Slice(set, func(i, j int) bool { return set[i].Check < set[j].Check })
	sort.Strings(gone)
	for _, e := range set {
		_, err := tx.ExecContext(ctx, `INSERT INTO schedule (check_name, location, spec, next_slot_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (check_name, location) DO UPDATE SET spec = excluded.spec,
			next_slot_ms = excluded.next_slot_ms WHERE schedule.spec <> excluded.spec`,
			e.Check, location, e.Spec, first(e.Check, t).UnixMilli())
		if err != nil {
			return fmt.Errorf("sync schedule %s: %w", e.Check, err)
		}
	}
	for _, name := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM schedule WHERE check_name = ? AND location = ?`, name, location); err != nil {
			return fmt.Errorf("sync schedule: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sync schedule: %w", err)
	}
	return nil
}

// Claim is one slot an instance took: run the check for Slot now.
type Claim struct {
	Check string
	Slot  time.Time
	// Skipped counts the slots between the row's due slot and Slot that
	// nobody ran (the fleet was down or behind): skipped, never burst.
	Skipped int64
	Now     time.Time // the database's clock at the claim
}

// Plan is the scheduler's part of a claim: given a row's due slot and the
// database's clock, the slot to run (the latest due one), the next slot,
// how many were skipped between, and how long the lease lasts. ok false
// leaves the row alone (a check this instance does not know).
type Plan func(check, spec string, due, now time.Time) (slot, next time.Time, skipped int64, lease time.Duration, ok bool)

// ClaimSlots takes up to max slots of location due by ahead from now for
// instance (the claimer waits for a slot that is not due yet: it starts on
// time rather than up to a poll late), in one short transaction: rows locked by a peer's claim are skipped, a row whose
// lease has not ended is not due, and each claimed row moves to its next
// slot with a lease until the run should be over. The probes run after the
// commit, outside any transaction.
func (s *Store) ClaimSlots(ctx context.Context, instance, location string, max int, ahead time.Duration, plan Plan) ([]Claim, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	defer tx.Rollback()
	if err := s.guardTx(ctx, tx); err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	now, err := s.dbNow(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT check_name, spec, next_slot_ms FROM schedule
		WHERE location = ? AND next_slot_ms <= ? AND lease_until_ms < ?
		ORDER BY next_slot_ms LIMIT ?`+forUpdateSkipLocked[s.dial], location, now+ahead.Milliseconds(), now, max)
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	type due struct {
		check, spec string
		at          int64
	}
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.check, &d.spec, &d.at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim: %w", err)
		}
		dues = append(dues, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	t := time.UnixMilli(now).UTC()
	var out []Claim
	var moves []slotMove
	for _, d := range dues {
		slot, next, skipped, lease, ok := plan(d.check, d.spec, time.UnixMilli(d.at).UTC(), t)
		if !ok {
			continue
		}
		moves = append(moves, slotMove{check: d.check, next: next.UnixMilli(), until: now + lease.Milliseconds(),
			slot: slot.UnixMilli(), skipped: skipped})
		out = append(out, Claim{Check: d.check, Slot: slot, Skipped: skipped, Now: t})
	}
	if err := s.moveSlots(ctx, tx, instance, location, moves); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	return out, nil
}

// slotMove is a claimed row's new state.
type slotMove struct {
	check                      string
	next, until, slot, skipped int64
}

// moveSlots writes the claimed rows: on PostgreSQL in one statement (the
// columns as delimited lists, zipped by unnest), on SQLite row by row.
func (s *Store) moveSlots(ctx context.Context, tx querier, instance, location string, moves []slotMove) error {
	if len(moves) == 0 {
		return nil
	}
	if s.dial == Postgres {
		cols := make([][]string, 5)
		for _, m := range moves {
			cols[0] = append(cols[0], m.check)
			for i, v := range []int64{m.next, m.until, m.slot, m.skipped} {
				cols[i+1] = append(cols[i+1], strconv.FormatInt(v, 10))
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE schedule s SET next_slot_ms = v.nx, lease_owner = ?, lease_until_ms = v.lu,
			lease_slot_ms = v.sl, skipped = s.skipped + v.sk
			FROM (SELECT unnest(string_to_array(?, E'\n')) AS c, unnest(string_to_array(?, ',')::bigint[]) AS nx,
				unnest(string_to_array(?, ',')::bigint[]) AS lu, unnest(string_to_array(?, ',')::bigint[]) AS sl,
				unnest(string_to_array(?, ',')::bigint[]) AS sk) AS v
			WHERE s.location = ? AND s.check_name = v.c`, instance, strings.Join(cols[0], "\n"),
			strings.Join(cols[1], ","), strings.Join(cols[2], ","), strings.Join(cols[3], ","), strings.Join(cols[4], ","), location)
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		return nil
	}
	for _, m := range moves {
		_, err := tx.ExecContext(ctx, `UPDATE schedule SET next_slot_ms = ?, lease_owner = ?, lease_until_ms = ?,
			lease_slot_ms = ?, skipped = skipped + ? WHERE check_name = ? AND location = ?`,
			m.next, instance, m.until, m.slot, m.skipped, m.check, location)
		if err != nil {
			return fmt.Errorf("claim %s: %w", m.check, err)
		}
	}
	return nil
}

// ScheduleRow is one (check, location) of the schedule, for the dashboard.
type ScheduleRow struct {
	Check, Location string
	Next            time.Time
	LeaseOwner      string
	LeaseUntil      time.Time
	Skipped         int64
}

// Schedule lists the fleet's schedule rows by check and location.
func (s *Store) Schedule(ctx context.Context) ([]ScheduleRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT check_name, location, next_slot_ms, lease_owner, lease_until_ms, skipped
		FROM schedule ORDER BY check_name, location`)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	defer rows.Close()
	var out []ScheduleRow
	for rows.Next() {
		var r ScheduleRow
		var next, until int64
		if err := rows.Scan(&r.Check, &r.Location, &next, &r.LeaseOwner, &until, &r.Skipped); err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
		}
		r.Next, r.LeaseUntil = fromMs(next), fromMs(until)
		out = append(out, r)
	}
	return out, rows.Err()
}

// lockChecks takes the per-check transaction lock of every named check, in
// one order, so that two instances recording runs of one check from two
// locations decide one after the other (and batches never deadlock).
func lockChecks(ctx context.Context, tx querier, names []string) error {
	sort.Strings(names)
	names = slices.Compact(names)
	if len(names) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT `+guardSQL+`, COUNT(pg_advisory_xact_lock(?, hashtext(c)))
		FROM (SELECT c FROM unnest(string_to_array(?, E'\n')) AS c ORDER BY c) AS t`,
		int32(checkLock), strings.Join(names, "\n"))
	if err != nil {
		return fmt.Errorf("lock checks: %w", err)
	}
	return nil
}

// checkLock is the first key of the per-check advisory lock.
const checkLock = 0x636b
