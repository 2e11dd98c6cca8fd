package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// checkRecentAgainstStats compares what the overview reads (Recent, from the
// strips) with what the check page reads (Stats and Series, straight from the
// rollups) for every check, at now.
func checkRecentAgainstStats(t *testing.T, s *Store, now time.Time, names []string) {
	t.Helper()
	ctx := context.Background()
	s.now = func() time.Time { return now }
	recs, err := s.Recent(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]CheckRecent{}
	for _, r := range recs {
		byName[r.Name] = r
	}
	for _, name := range names {
		rec, ok := byName[name]
		if !ok {
			t.Fatalf("now %s: no recent history for %s", now, name)
		}
		ws, err := s.Stats(ctx, name, []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		for i, got := range []Window{rec.Day, rec.Week, rec.Month} {
			want := ws[i]
			if i > 0 { // percentiles are only kept for the day
				want.P50, want.P95, want.P99 = 0, 0, 0
			}
			if got != want {
				t.Errorf("now %s, %s, window %s: Recent %+v, Stats %+v", now, name, want.Span, got, want)
			}
		}
		series, err := s.Series(ctx, name, time.Hour, now.Add(-23*time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != len(rec.Hours) {
			t.Fatalf("%d hours, Series has %d", len(rec.Hours), len(series))
		}
		for i, b := range rec.Hours {
			if b != series[i] {
				t.Errorf("now %s, %s, hour %d: Recent %+v, Series %+v", now, name, i, b, series[i])
			}
		}
	}
}

// TestRecentMatchesStats records a month of runs in random order (late runs
// included), some concurrently so that batches hold several hours, and
// checks the strips against the rollups at several moments, also after a
// restart.
func TestRecentMatchesStats(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, path := openTemp(t)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(1, 2))
		end := time.Date(2026, 5, 20, 14, 25, 0, 0, time.UTC)
		names := []string{"a", "b", "c"}
		var runs []checks.Result
		for i := range 600 {
			name := names[i%len(names)]
			back := time.Duration(rng.Int64N(int64(32 * 24 * time.Hour)))
			if i%3 == 0 { // many in the last two days, where the hourly windows are
				back = time.Duration(rng.Int64N(int64(48 * time.Hour)))
			}
			status := 401
			if rng.IntN(5) == 0 {
				status = 200
			}
			res := result(name, end.Add(-back), status)
			res.Duration = time.Duration(rng.Int64N(int64(2 * time.Second)))
			runs = append(runs, res)
		}
		// Mostly in time order, as the scheduler records them, with late ones.
		for i := range runs {
			if j := i + rng.IntN(20); j < len(runs) && rng.IntN(4) > 0 {
				runs[i], runs[j] = runs[j], runs[i]
			}
		}
		recordAll := func(part []checks.Result) {
			var wg sync.WaitGroup
			for _, res := range part {
				wg.Go(func() {
					if _, _, err := s.RecordRun(ctx, res, decide); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		recordAll(runs[:400])
		checkRecentAgainstStats(t, s, end, names)
		s.Close()
		var err error
		if s, err = Open(ctx, path); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		recordAll(runs[400:])
		for _, now := range []time.Time{end, end.Add(50 * time.Minute), end.Add(26 * time.Hour), end.Add(8 * 24 * time.Hour)} {
			checkRecentAgainstStats(t, s, now, names)
		}
		// Should a check's hour copy ever disagree with its strip, Recent reads
		// the hour's rollup instead, and still agrees with Stats.
		if _, err := s.w.Exec(`UPDATE check_latest SET hour_ms = 0, hour_runs = 0
		WHERE check_id = (SELECT id FROM check_names WHERE name = 'b')`); err != nil {
			t.Fatal(err)
		}
		checkRecentAgainstStats(t, s, end.Add(50*time.Minute), names)
		// A check whose runs stopped long ago has empty windows.
		now := end.Add(40 * 24 * time.Hour)
		recs, err := s.Recent(ctx, now)
		if err != nil || len(recs) != 3 || recs[0].Month.Runs != 0 || recs[0].Hours[23].Runs != 0 {
			t.Fatalf("40 days later: %+v, %v", recs, err)
		}
	})
}

func TestRecentOfSeededHistory(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		now := time.Date(2026, 6, 1, 9, 40, 0, 0, time.UTC)
		if err := s.SeedHistory(context.Background(), 3, 2, 10*time.Minute, now, passingRun); err != nil {
			t.Fatal(err)
		}
		checkRecentAgainstStats(t, s, now, []string{"seed-0000", "seed-0001", "seed-0002"})
	})
}

// TestOverviewLatestRun: the overview's latest run follows the runs, ignores
// a late older one, decodes the verdict of a failure only, and carries the
// flapping flag and the open incident.
func TestOverviewLatestRun(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		ctx := context.Background()
		t0 := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		flap := false
		eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
			next, inc, evs := decide(prev, res, runID)
			next.Flapping = flap
			return next, inc, evs
		}
		rec := func(check string, at time.Time, status int) Run {
			t.Helper()
			run, _, err := s.RecordRun(ctx, result(check, at, status), eval)
			if err != nil {
				t.Fatal(err)
			}
			return run
		}
		overview := func() map[string]CheckSummary {
			t.Helper()
			sums, err := s.Overview(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]CheckSummary{}
			for _, sum := range sums {
				out[sum.Name] = sum
			}
			return out
		}

		rec("steady", t0, 401)
		last := rec("steady", t0.Add(time.Minute), 401) // shares the first run's evidence
		rec("steady", t0.Add(-time.Hour), 401)          // late: older than the latest
		failed := rec("broken", t0.Add(time.Minute), 200)
		ov := overview()
		steady, broken := ov["steady"], ov["broken"]
		if steady.Last.ID != last.ID || !steady.Last.Started.Equal(t0.Add(time.Minute)) || steady.Last.Duration != 12*time.Millisecond {
			t.Fatalf("steady latest = %+v, want run %d", steady.Last, last.ID)
		}
		if len(steady.Last.Probes) != 1 || steady.Last.Probes[0].Kind != checks.ProbeMissing || !steady.Last.Passed() {
			t.Fatalf("steady probes = %+v", steady.Last.Probes)
		}
		if steady.State.Status != alert.StatusPassing || steady.State.Incident != nil || steady.State.Flapping {
			t.Fatalf("steady state = %+v", steady.State)
		}
		fs := broken.Last.Failures()
		if broken.Last.ID != failed.ID || len(fs) != 1 || fs[0].Assertion.ID != "B1" || fs[0].URL != "http://127.0.0.1/x" {
			t.Fatalf("broken latest = %+v", broken.Last)
		}
		if st := broken.State; st.Status != alert.StatusFailing || st.Severity != checks.SevCritical ||
			!reflect.DeepEqual(st.Failing, []string{"missing/B1"}) || st.Incident == nil || st.Incident.ID == 0 || !st.Incident.Open() {
			t.Fatalf("broken state = %+v", st)
		}

		// A late run with other probes, then a run sharing its evidence: the
		// latest run's probes are read from that evidence.
		other := func(at time.Time) checks.Result {
			res := result("steady", at, 401)
			res.Probes[0].Kind = checks.ProbeValid
			return res
		}
		for _, res := range []checks.Result{other(t0.Add(-30 * time.Minute)), other(t0.Add(2 * time.Minute))} {
			if _, _, err := s.RecordRun(ctx, res, eval); err != nil {
				t.Fatal(err)
			}
		}
		if p := overview()["steady"].Last.Probes; len(p) != 1 || p[0].Kind != checks.ProbeValid {
			t.Fatalf("steady probes after shared late evidence = %+v", p)
		}

		flap = true
		rec("broken", t0.Add(2*time.Minute), 401) // recovers: the incident resolves
		if st := overview()["broken"].State; st.Incident != nil || !st.Flapping || st.Status != alert.StatusPassing {
			t.Fatalf("recovered state = %+v", st)
		}
		flap = false
		rec("broken", t0.Add(3*time.Minute), 401)
		if st := overview()["broken"].State; st.Flapping {
			t.Fatalf("calm state still flapping: %+v", st)
		}
	})
}

// TestMigration6Backfill undoes migration 6 on a database with history and
// opens it again: the backfilled rows give the same overview.
func TestMigration6Backfill(t *testing.T) {
	engines(t, func(t *testing.T) {
		sqliteOnly(t, "PostgreSQL support began after migration 6")
		s, path := openTemp(t)
		ctx := context.Background()
		now := time.Date(2026, 7, 3, 16, 10, 0, 0, time.UTC)
		flapping := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
			next, inc, evs := decide(prev, res, runID)
			next.Flapping = res.Check == "c1"
			return next, inc, evs
		}
		for i := range 90 {
			status := 401
			if i%7 == 0 {
				status = 200
			}
			res := result(fmt.Sprintf("c%d", i%3), now.Add(-time.Duration(i)*47*time.Minute), status)
			if _, _, err := s.RecordRun(ctx, res, flapping); err != nil {
				t.Fatal(err)
			}
		}
		before, err := s.Overview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		recentBefore, err := s.Recent(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if !before[1].State.Flapping || before[0].State.Flapping {
			t.Fatalf("flapping before the rollback: %v %v", before[0].State.Flapping, before[1].State.Flapping)
		}
		for _, q := range []string{
			// Later migrations first, so that 6 is the newest applied.
			`ALTER TABLE runs DROP COLUMN repeats`, `ALTER TABLE runs DROP COLUMN last_ms`, `ALTER TABLE runs DROP COLUMN max_us`,
			`DELETE FROM schema_migrations WHERE version IN (15, 16)`,
			`DROP TABLE rollup_mark`, `DELETE FROM schema_migrations WHERE version = 14`, `DROP TABLE snoozes`, `DROP TABLE incident_threads`, `ALTER TABLE outbox DROP COLUMN channel`,
			`ALTER TABLE incidents DROP COLUMN acked_by`, `ALTER TABLE incidents DROP COLUMN acked_ms`,
			`DROP TABLE instances`, `DROP TABLE pauses`, `DROP TABLE schedule`, `DROP TABLE slot_runs`, `DROP TABLE location_latest`,
			`ALTER TABLE runs DROP COLUMN location`, `ALTER TABLE outbox DROP COLUMN claimed_by`,
			`ALTER TABLE outbox DROP COLUMN claim_until_ms`, `DELETE FROM schema_migrations WHERE version IN (12, 13)`,
			`DROP TABLE jwks_keys`, `DELETE FROM schema_migrations WHERE version IN (10, 11)`,
			`DROP TABLE status_notes`, `DELETE FROM schema_migrations WHERE version = 9`,
			`DROP TABLE failed_logins`, `DELETE FROM schema_migrations WHERE version = 8`,
			`ALTER TABLE outbox DROP COLUMN first_error_ms`, `DELETE FROM schema_migrations WHERE version = 7`,
			`DROP TRIGGER check_state_flapping_insert`, `DROP TRIGGER check_state_flapping_update`,
			`DROP TABLE check_latest`, `DROP TABLE check_recent`,
			`ALTER TABLE check_state DROP COLUMN flapping`, `DELETE FROM schema_migrations WHERE version = 6`,
		} {
			if _, err := s.w.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		s.Close()
		if s, err = Open(ctx, path); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		after, err := s.Overview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		recentAfter, err := s.Recent(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("overview after the backfill differs:\n%+v\n%+v", before, after)
		}
		if !reflect.DeepEqual(recentBefore, recentAfter) {
			t.Errorf("recent history after the backfill differs:\n%+v\n%+v", recentBefore, recentAfter)
		}
	})
}

func TestStripRoundTrip(t *testing.T) {
	engines(t, func(t *testing.T) {
		var st strip
		st.hour = 1_800_000 * hourMs
		st.hours[3] = stripSlot{runs: 60, failures: 2, h: newHist()}
		st.hours[3].h[4], st.hours[3].h[28] = 50, 10
		st.hours[7] = stripSlot{runs: 1, h: newHist()}
		st.hours[7].h[0] = 1
		st.days[29] = stripSlot{runs: 1440, failures: 3}
		var got stripView
		if err := newStripReader().decode(st.encode(), &got); err != nil {
			t.Fatal(err)
		}
		h3 := got.hours[3]
		if h3.runs != 60 || h3.failures != 2 || h3.p50 != 700*time.Microsecond || h3.p95 != 60*time.Second {
			t.Fatalf("hour 3 = %+v", h3)
		}
		back := newHist()
		if err := decodeSparseInto(h3.hist, back); err != nil || !reflect.DeepEqual(back, st.hours[3].h) {
			t.Fatalf("hour 3 histogram = %v", back)
		}
		if got.hours[2].runs != 0 || got.hours[7].runs != 1 || !reflect.DeepEqual(got.days, st.days) {
			t.Fatalf("decoded %+v", got)
		}
		want := newHist()
		want.merge(st.hours[3].h)
		want.merge(st.hours[7].h)
		if !reflect.DeepEqual(got.total, want) {
			t.Fatalf("total = %v, want %v", got.total, want)
		}
		full := st.encode()
		for _, bad := range [][]byte{nil, {9}, full[:10], full[:len(full)-1]} {
			if err := newStripReader().decode(bad, &got); err == nil {
				t.Errorf("decode(%v) accepted", bad)
			}
		}
	})
}

// TestStripRebuiltOncePerHour: runs within a check's newest hour leave its
// strip alone (the writer rebuilds it once an hour, not per batch); a run in
// a new hour, or a late one in an hour the strip holds, rebuilds it.
func TestStripRebuiltOncePerHour(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		ctx := context.Background()
		t0 := time.Date(2026, 8, 1, 14, 5, 0, 0, time.UTC)
		rec := func(at time.Time) {
			t.Helper()
			if _, _, err := s.RecordRun(ctx, result("api", at, 401), decide); err != nil {
				t.Fatal(err)
			}
		}
		mark := func() {
			t.Helper()
			if err := s.syncRollups(ctx); err != nil { // the row as the writer left it
				t.Fatal(err)
			}
			if _, err := s.w.Exec(`UPDATE check_recent SET strip = x'00'`); err != nil {
				t.Fatal(err)
			}
		}
		marked := func() bool {
			t.Helper()
			return count(t, s, `SELECT count(*) FROM check_recent WHERE strip = x'00'`) == 1
		}
		rec(t0)
		mark()
		for i := 1; i <= 5; i++ {
			rec(t0.Add(time.Duration(i) * time.Minute))
		}
		if !marked() {
			t.Fatal("runs in the strip's own hour rebuilt it")
		}
		rec(t0.Add(time.Hour))
		if marked() {
			t.Fatal("a run in a new hour did not rebuild the strip")
		}
		mark()
		rec(t0.Add(30 * time.Minute)) // late, into the hour before: now in the strip
		if marked() {
			t.Fatal("a late run into the strip's hours did not rebuild it")
		}
	})
}
