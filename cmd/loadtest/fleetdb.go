package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// edge is what is read at one edge of the window: the instances' and the
// database server's processes, the database's counters and the machine.
type edge struct {
	at        time.Time
	instances map[string]procStat // by instance name; missing once dead
	pg        map[int]procStat    // the server's processes, by pid
	db        pgCounters
	busy      time.Duration // the machine's busy CPU time so far, every core
	total     time.Duration
}

// pgCounters are the database's cumulative counters (pg_stat_database),
// its size and the runs it holds.
type pgCounters struct {
	commits, rollbacks              int64
	inserted, updated, deleted      int64
	size, walBytes, runs, slotsRows int64
}

// snapshot reads one edge. A dead instance is left out.
func snapshot(ctx context.Context, conn *pgx.Conn, fleet []*fleetInstance) (edge, error) {
	e := edge{at: time.Now(), instances: map[string]procStat{}, pg: map[int]procStat{}}
	for _, in := range fleet {
		if !in.alive() {
			continue
		}
		if st, err := readProc(in.cmd.Process.Pid); err == nil {
			e.instances[in.name] = st
		}
	}
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity`)
	if err != nil {
		return edge{}, fmt.Errorf("read the server's processes: %w", err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return edge{}, fmt.Errorf("read the server's processes: %w", err)
	}
	for _, pid := range pids {
		if st, err := readProc(int(pid)); err == nil {
			e.pg[int(pid)] = st
		}
	}
	err = conn.QueryRow(ctx, `SELECT d.xact_commit, d.xact_rollback, d.tup_inserted, d.tup_updated, d.tup_deleted,
		pg_database_size(current_database()), pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,
		(SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM slot_runs)
		FROM pg_stat_database d WHERE d.datname = current_database()`).Scan(
		&e.db.commits, &e.db.rollbacks, &e.db.inserted, &e.db.updated, &e.db.deleted,
		&e.db.size, &e.db.walBytes, &e.db.runs, &e.db.slotsRows)
	if err != nil {
		return edge{}, fmt.Errorf("read the database's counters: %w", err)
	}
	e.busy, e.total = machineCPU()
	return e, nil
}

// beat is an instance's own report in the instances table.
type beat struct {
	location            string
	slotsRun, skipped   int64
	lateP50ms, lateP99m int64
}

// readInstances reads the instances table: what each instance last
// reported about itself.
func readInstances(ctx context.Context, conn *pgx.Conn) (map[string]beat, error) {
	rows, err := conn.Query(ctx, `SELECT id, location, slots_run, slots_skipped, late_p50_ms, late_p99_ms FROM instances`)
	if err != nil {
		return nil, fmt.Errorf("read instances: %w", err)
	}
	defer rows.Close()
	out := map[string]beat{}
	for rows.Next() {
		var id string
		var b beat
		if err := rows.Scan(&id, &b.location, &b.slotsRun, &b.skipped, &b.lateP50ms, &b.lateP99m); err != nil {
			return nil, fmt.Errorf("read instances: %w", err)
		}
		out[id] = b
	}
	return out, rows.Err()
}

// fleetFacts is what the fleet's tables hold once the run is drained.
type fleetFacts struct {
	slotsByLocation map[string]int64 // window slots recorded, per location
	slotsByInstance map[string]int64 // window slots recorded, per instance
	failedByLoc     map[string]int64 // window runs that failed an assertion, per location
	runsLocated     int64            // runs with a location, all time
	runsUnlocated   int64            // runs without one (none expected in a fleet)
	slotRows        int64            // slot_runs rows, all time
	keysTwice       int64            // (check, location, slot) recorded more than once
	pairsUneven     int64            // (check, location) with another number of runs than slots
	late            lateness         // run start minus its slot, window slots
	slots           []slotRow        // window slots (and the one before), for the gaps
}

// lateness is the distribution of how late runs started after their slot.
type lateness struct {
	p50, p99, max float64 // ms
	n             int64
}

// slotRow is one recorded slot.
type slotRow struct {
	check, location string
	slotMs          int64
}

// readFleetFacts reads the fleet's tables. Lateness pairs each (check,
// location)'s runs and recorded slots in order: a run and its slot are
// written in one transaction and a check never runs twice at once, so the
// k-th run of a (check, location) is its k-th slot wherever the counts are
// equal (pairs where they are not are counted and left out).
func readFleetFacts(ctx context.Context, conn *pgx.Conn, win window, killedAt time.Time) (fleetFacts, error) {
	f := fleetFacts{slotsByLocation: map[string]int64{}, slotsByInstance: map[string]int64{}, failedByLoc: map[string]int64{}}
	from, to := win.start.UnixMilli(), win.end.UnixMilli()
	wrap := func(err error) error { return fmt.Errorf("read the fleet's tables: %w", err) }
	group := func(q string, dst map[string]int64) error {
		rows, err := conn.Query(ctx, q, from, to)
		if err != nil {
			return wrap(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				return wrap(err)
			}
			dst[k] = n
		}
		return rows.Err()
	}
	if err := group(`SELECT location, COUNT(*) FROM slot_runs WHERE slot_ms >= $1 AND slot_ms < $2 GROUP BY 1`, f.slotsByLocation); err != nil {
		return f, err
	}
	if err := group(`SELECT instance, COUNT(*) FROM slot_runs WHERE slot_ms >= $1 AND slot_ms < $2 GROUP BY 1`, f.slotsByInstance); err != nil {
		return f, err
	}
	err := conn.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM runs WHERE location <> ''),
		(SELECT COUNT(*) FROM runs WHERE location = ''),
		(SELECT COUNT(*) FROM slot_runs),
		(SELECT COUNT(*) FROM (SELECT 1 FROM slot_runs GROUP BY check_name, location, slot_ms HAVING COUNT(*) > 1) AS t)`).Scan(
		&f.runsLocated, &f.runsUnlocated, &f.slotRows, &f.keysTwice)
	if err != nil {
		return f, wrap(err)
	}
	const paired = `WITH r AS (
			SELECT c.name AS check_name, r.location, r.started_ms, r.passed,
				row_number() OVER (PARTITION BY c.name, r.location ORDER BY r.started_ms, r.id) AS k,
				COUNT(*) OVER (PARTITION BY c.name, r.location) AS n
			FROM runs r JOIN check_names c ON c.id = r.check_id WHERE r.location <> ''),
		s AS (
			SELECT check_name, location, slot_ms,
				row_number() OVER (PARTITION BY check_name, location ORDER BY slot_ms) AS k,
				COUNT(*) OVER (PARTITION BY check_name, location) AS n
			FROM slot_runs),
		p AS (
			SELECT s.location, s.slot_ms, r.started_ms - s.slot_ms AS late_ms, r.passed
			FROM r JOIN s USING (check_name, location, k) WHERE r.n = s.n)
		`
	err = conn.QueryRow(ctx, paired+`SELECT COALESCE(percentile_disc(0.5) WITHIN GROUP (ORDER BY late_ms), 0)::float8,
		COALESCE(percentile_disc(0.99) WITHIN GROUP (ORDER BY late_ms), 0)::float8, COALESCE(MAX(late_ms), 0)::float8, COUNT(*)
		FROM p WHERE slot_ms >= $1 AND slot_ms < $2`, from, to).Scan(&f.late.p50, &f.late.p99, &f.late.max, &f.late.n)
	if err != nil {
		return f, wrap(err)
	}
	if err := group(paired+`SELECT location, COUNT(*) FROM p WHERE slot_ms >= $1 AND slot_ms < $2 AND passed = 0 GROUP BY 1`,
		f.failedByLoc); err != nil {
		return f, err
	}
	err = conn.QueryRow(ctx, `SELECT COUNT(*) FROM
		(SELECT check_name, location, COUNT(*) AS n FROM slot_runs GROUP BY 1, 2) AS s
		FULL JOIN (SELECT c.name AS check_name, r.location, COUNT(*) AS n FROM runs r JOIN check_names c ON c.id = r.check_id
			WHERE r.location <> '' GROUP BY 1, 2) AS r USING (check_name, location)
		WHERE s.n IS DISTINCT FROM r.n`).Scan(&f.pairsUneven)
	if err != nil {
		return f, wrap(err)
	}
	rows, err := conn.Query(ctx, `SELECT check_name, location, slot_ms FROM slot_runs
		WHERE slot_ms >= $1 AND slot_ms < $2 ORDER BY 1, 2, 3`, from-int64(time.Minute/time.Millisecond), to)
	if err != nil {
		return f, wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s slotRow
		if err := rows.Scan(&s.check, &s.location, &s.slotMs); err != nil {
			return f, wrap(err)
		}
		f.slots = append(f.slots, s)
	}
	return f, rows.Err()
}
