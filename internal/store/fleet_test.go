package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/pgtest"
)

// openAs opens another store on db as instance id (a peer of the fleet).
func openAs(t *testing.T, db, id string) *Store {
	t.Helper()
	s, err := Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetInstance(id)
	return s
}

// everySecond is a Plan for checks at 1 s: the latest due slot, the next
// one, and a 5 s lease.
func everySecond(_, _ string, due, now time.Time) (time.Time, time.Time, int64, time.Duration, bool) {
	k := now.Sub(due) / time.Second
	slot := due.Add(k * time.Second)
	return slot, slot.Add(time.Second), int64(k), 5 * time.Second, true
}

// TestClaimSlotsOnce: three instances, each with its own connection pool,
// claim the slots of 40 checks in one location as fast as they can for 4 s
// and record each slot they got; every slot is claimed by exactly one of
// them, and recording a slot again is refused.
func TestClaimSlotsOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	var stores []*Store
	for i := range 3 {
		stores = append(stores, openAs(t, db, fmt.Sprintf("i%d", i)))
	}
	var entries []ScheduleEntry
	for i := range 40 {
		entries = append(entries, ScheduleEntry{Check: fmt.Sprintf("c%02d", i), Spec: "@every 1s"})
	}
	first := func(_ string, now time.Time) time.Time { return now.Truncate(time.Second) }
	for _, s := range stores { // every instance syncs; the second and third change nothing
		if err := s.SyncSchedule(ctx, "eu", entries, first); err != nil {
			t.Fatal(err)
		}
	}
	type slot struct {
		check string
		at    time.Time
	}
	var mu sync.Mutex
	claimed := map[slot]string{}
	var dups []string
	stop := time.Now().Add(4 * time.Second)
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			me := fmt.Sprintf("i%d", i)
			for time.Now().Before(stop) {
				cs, err := s.ClaimSlots(ctx, me, "eu", 16, 0, everySecond)
				if err != nil {
					t.Error(err)
					return
				}
				for _, c := range cs {
					mu.Lock()
					k := slot{c.Check, c.Slot}
					if prev, ok := claimed[k]; ok {
						dups = append(dups, fmt.Sprintf("%s@%s by %s and %s", c.Check, c.Slot.Format(time.StampMilli), prev, me))
					}
					claimed[k] = me
					mu.Unlock()
					res := checks.Result{Check: c.Check, Started: c.Now, Location: "eu", Slot: c.Slot}
					if _, _, err := s.RecordFleetRun(ctx, res, passAll); err != nil {
						t.Errorf("record %s: %v", c.Check, err)
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	if len(dups) > 0 {
		t.Fatalf("slots claimed twice: %v", dups)
	}
	if len(claimed) < 40*3 {
		t.Fatalf("only %d slots claimed in 4 s of 40 checks at 1 s", len(claimed))
	}
	by := map[string]int{}
	for _, who := range claimed {
		by[who]++
	}
	t.Logf("%d slots claimed: %v", len(claimed), by)

	// A stalled instance that comes back with a slot already recorded is
	// refused, and nothing of its run is kept.
	var k slot
	for k = range claimed {
		break
	}
	var runs int
	stores[0].r.QueryRow(`SELECT COUNT(*) FROM runs`).Scan(&runs)
	late := checks.Result{Check: k.check, Started: time.Now(), Location: "eu", Slot: k.at}
	if _, _, err := stores[1].RecordFleetRun(ctx, late, passAll); !errors.Is(err, ErrSlotTaken) {
		t.Fatalf("a second result for %s@%s: %v, want ErrSlotTaken", k.check, k.at, err)
	}
	var after int
	stores[0].r.QueryRow(`SELECT COUNT(*) FROM runs`).Scan(&after)
	if after != runs {
		t.Fatalf("runs went from %d to %d: the late run was kept", runs, after)
	}
	if n := count(t, stores[0], `SELECT COUNT(*) FROM slot_runs`); n != runs {
		t.Fatalf("%d recorded slots for %d runs", n, runs)
	}
}

func passAll(prev alert.State, res checks.Result, runID int64, _ []LocationResult) (alert.State, *alert.Incident, []alert.Event) {
	return alert.Decide(prev, res, runID, alert.DefaultPolicy())
}

// TestClaimSkipsMissedSlots: a schedule nobody claimed for a while runs
// its latest due slot once and counts the others as skipped; a slot under
// lease is not claimed again until the lease ends or the run is recorded.
func TestClaimSkipsMissedSlots(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		s.SetInstance("a")
		first := func(_ string, now time.Time) time.Time { return now.Add(-10500 * time.Millisecond) }
		if err := s.SyncSchedule(ctx, "eu", []ScheduleEntry{{Check: "c", Spec: "@every 1s"}}, first); err != nil {
			t.Fatal(err)
		}
		cs, err := s.ClaimSlots(ctx, "a", "eu", 10, 0, everySecond)
		if err != nil || len(cs) != 1 {
			t.Fatalf("claims %v, %v", cs, err)
		}
		if cs[0].Skipped < 10 || cs[0].Skipped > 11 {
			t.Fatalf("skipped %d slots, want 10", cs[0].Skipped)
		}
		time.Sleep(1100 * time.Millisecond) // the next slot is due, but the lease holds
		if again, err := s.ClaimSlots(ctx, "a", "eu", 10, 0, everySecond); err != nil || len(again) != 0 {
			t.Fatalf("claimed under lease: %v, %v", again, err)
		}
		res := checks.Result{Check: "c", Started: cs[0].Now, Location: "eu", Slot: cs[0].Slot}
		if _, _, err := s.RecordFleetRun(ctx, res, passAll); err != nil {
			t.Fatal(err)
		}
		if again, err := s.ClaimSlots(ctx, "a", "eu", 10, 0, everySecond); err != nil || len(again) != 1 || !again[0].Slot.After(cs[0].Slot) {
			t.Fatalf("after the run was recorded: %v, %v", again, err)
		}
		rows, err := s.Schedule(ctx)
		if err != nil || len(rows) != 1 || rows[0].Skipped < 10 {
			t.Fatalf("schedule %+v, %v", rows, err)
		}
		// A check gone from the config loses its row.
		if err := s.SyncSchedule(ctx, "eu", nil, first); err != nil {
			t.Fatal(err)
		}
		if rows, _ := s.Schedule(ctx); len(rows) != 0 {
			t.Fatalf("rows left: %+v", rows)
		}
	})
}

// TestBeatFleetConfig: the fleet's config is the one most live instances
// run; a tie goes to the config loaded last; a dead instance does not vote.
func TestBeatFleetConfig(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		beat := func(id, sha string) FleetView {
			t.Helper()
			v, err := s.Beat(ctx, Heartbeat{ID: id, Location: "eu", Version: "test", ConfigSHA: sha})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if _, err := s.Beat(ctx, Heartbeat{ID: "a", Location: "eu", ConfigSHA: "old", Claiming: true}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if v := beat("b", "stale"); v.ConfigSHA != "old" {
			t.Fatalf("one against one: fleet config %q, want the claiming one's", v.ConfigSHA)
		}
		beat("b", "old")
		if v := beat("c", "new"); v.ConfigSHA != "old" || len(v.Live) != 3 {
			t.Fatalf("fleet config %q with %d live, want old with 3", v.ConfigSHA, len(v.Live))
		}
		time.Sleep(5 * time.Millisecond)
		if v := beat("b", "new"); v.ConfigSHA != "new" {
			t.Fatalf("two of three run new, fleet config %q", v.ConfigSHA)
		}
		// a goes quiet for longer than LiveWindow: it no longer votes.
		if _, err := s.w.Exec(`UPDATE instances SET seen_ms = seen_ms - ? WHERE id = 'b' OR id = 'c'`, 2*LiveWindow.Milliseconds()); err != nil {
			t.Fatal(err)
		}
		if v := beat("a", "old"); v.ConfigSHA != "old" || len(v.Live) != 1 {
			t.Fatalf("alone: fleet config %q, %d live", v.ConfigSHA, len(v.Live))
		}
		ins, err := s.Instances(ctx)
		if err != nil || len(ins) != 3 || !ins[0].Live || ins[1].Live {
			t.Fatalf("instances %+v, %v", ins, err)
		}
		if err := s.Leave(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if ins, _ := s.Instances(ctx); len(ins) != 2 {
			t.Fatalf("after leaving: %+v", ins)
		}
	})
}

// TestOutboxClaimedOnce: on a shared database two instances asking for the
// next delivery at once never get the same one, and a claimed delivery
// comes back only once its claim ended.
func TestOutboxClaimedOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	a, b := openAs(t, db, "a"), openAs(t, db, "b")
	for _, c := range []string{"x", "y"} {
		if _, err := a.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: c}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().Add(time.Minute)
	d1, err1 := a.NextDue(ctx, now)
	d2, err2 := b.NextDue(ctx, now)
	if err1 != nil || err2 != nil || d1.ID == d2.ID {
		t.Fatalf("a got %d (%v), b got %d (%v)", d1.ID, err1, d2.ID, err2)
	}
	c := openAs(t, db, "c")
	if _, err := c.NextDue(ctx, now); !errors.Is(err, alert.ErrNothingDue) {
		t.Fatalf("a third instance: %v, want nothing due (both claimed)", err)
	}
	if d, err := b.NextDue(ctx, now); err != nil || d.ID != d2.ID {
		t.Fatalf("b restarted under its name got %d, %v; want its own claim %d back", d.ID, err, d2.ID)
	}
	if _, err := a.w.Exec(`UPDATE outbox SET claim_until_ms = 0 WHERE id = ?`, d1.ID); err != nil { // a died
		t.Fatal(err)
	}
	if d, err := c.NextDue(ctx, now); err != nil || d.ID != d1.ID {
		t.Fatalf("after a's claim ended c got %d, %v", d.ID, err)
	}
}

// TestSharedPauses: a pause one instance records holds for the others
// within pausesFresh, and an enumeration turn goes to one instance only.
func TestSharedPauses(t *testing.T) {
	engines(t, func(t *testing.T) {
		a, path := openTemp(t)
		b := openAs(t, path, "b")
		pa, pb := a.Pauses(nil), b.Pauses(nil)
		now := time.Now()
		if _, paused := pb.Until("429", "c", now); paused {
			t.Fatal("paused before any 429")
		}
		pa.Pause("429", "c", now.Add(time.Minute))
		time.Sleep(pausesFresh + 50*time.Millisecond)
		if u, paused := pb.Until("429", "c", now); !paused || u.UnixMilli() != now.Add(time.Minute).UnixMilli() {
			t.Fatalf("the peer sees %v %v, want paused for a minute", u, paused)
		}
		next := now.Add(time.Hour)
		took := 0
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, p := range []*SharedPauses{pa, pb, pa, pb} {
			wg.Go(func() {
				if p.Take("enumeration", "c", now, next) {
					mu.Lock()
					took++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if took != 1 {
			t.Fatalf("the turn was taken %d times", took)
		}
		pa.Clear("enumeration", "c")
		time.Sleep(pausesFresh + 50*time.Millisecond)
		if !pb.Take("enumeration", "c", now, next) {
			t.Fatal("a cleared turn cannot be taken")
		}
	})
}

// TestStalledTransactionIsCutOff: an instance that stalls in the middle of
// a transaction holding a check's lock (a frozen VM, SIGSTOP) is cut off by
// the server after idleInTx; a peer's run of that check is recorded while
// the stalled one still sleeps, and the stalled transaction cannot commit.
func TestStalledTransactionIsCutOff(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	a, b := openAs(t, db, "a"), openAs(t, db, "b")
	began := time.Now()
	tx, err := a.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := lockChecks(ctx, tx, []string{"c"}); err != nil {
		t.Fatal(err)
	}
	wake := make(chan struct{})
	recorded := make(chan error, 1)
	go func() {
		res := checks.Result{Check: "c", Started: time.Now(), Location: "eu", Slot: time.Now()}
		_, _, err := b.RecordFleetRun(ctx, res, passAll)
		recorded <- err
	}()
	go func() { time.Sleep(5 * time.Second); close(wake) }() // the stall: far longer than idleInTx
	select {
	case err := <-recorded:
		if err != nil {
			t.Fatalf("the peer's run: %v", err)
		}
		t.Log("recorded after", time.Since(began))
	case <-wake:
		t.Fatal("the peer's run waited for the stalled transaction to wake")
	}
	<-wake
	if err := tx.Commit(); err == nil {
		t.Fatal("the stalled transaction committed after it was cut off")
	}
	t.Log("commit refused after", time.Since(began))
}

// TestRecordFleetRunSeesEveryLocation: the evaluator of a fleet's run gets
// the latest verdict of each location, this run's included, and a late run
// of a location does not replace its newer verdict.
func TestRecordFleetRunSeesEveryLocation(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		s.SetInstance("a")
		var seen []LocationResult
		eval := func(prev alert.State, res checks.Result, runID int64, locs []LocationResult) (alert.State, *alert.Incident, []alert.Event) {
			seen = locs
			return passAll(prev, res, runID, locs)
		}
		run := func(loc string, sec int, pass bool) {
			t.Helper()
			at := t0.Add(time.Duration(sec) * time.Second)
			res := checks.Result{Check: "c", Started: at, Location: loc, Slot: at,
				Probes: []checks.ProbeResult{{Kind: checks.ProbeMissing, Assertions: []checks.Assertion{{ID: "B1", Pass: pass, Severity: checks.SevCritical}}}}}
			if _, _, err := s.RecordFleetRun(ctx, res, eval); err != nil {
				t.Fatal(err)
			}
		}
		describe := func() string {
			var b []string
			for _, l := range seen {
				b = append(b, fmt.Sprintf("%s:%v@%d", l.Location, l.Passed, l.Started.Sub(t0)/time.Second))
			}
			return fmt.Sprint(b)
		}
		run("eu", 10, true)
		run("us", 11, false)
		if got := describe(); got != "[eu:true@10 us:false@11]" {
			t.Fatalf("after us: %s", got)
		}
		run("eu", 5, false) // late: eu's newer verdict stays
		if got := describe(); got != "[eu:true@10 us:false@11]" {
			t.Fatalf("after a late eu run: %s", got)
		}
		if all, err := s.AllLocationResults(ctx); err != nil || len(all["c"]) != 2 || !all["c"][0].Passed {
			t.Fatalf("stored: %+v, %v", all, err)
		}
	})
}
