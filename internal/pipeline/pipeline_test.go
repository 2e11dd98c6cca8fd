package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/scheduler"
	"github.com/authmon/monitor/internal/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// result is a run of check at t0+n minutes; sev none means it passed.
func result(check string, n int, sev checks.Severity) checks.Result {
	a := checks.Assertion{ID: "B1", Pass: sev == checks.SevNone, Severity: sev}
	if a.Pass {
		a.Severity = checks.SevCritical
	}
	return checks.Result{Check: check, Started: t0.Add(time.Duration(n) * time.Minute),
		Probes: []checks.ProbeResult{{Kind: checks.ProbeMissing, Assertions: []checks.Assertion{a}}}}
}

// observer keeps what the pipeline reports.
type observer struct {
	mu        sync.Mutex
	runs      []string
	writes    int
	writeErrs []error
}

func (o *observer) ObserveRun(res checks.Result) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.runs = append(o.runs, res.Check)
}

func (o *observer) ObserveStoreWrite(_ time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes++
	if err != nil {
		o.writeErrs = append(o.writeErrs, err)
	}
}

// setup is a pipeline on a real store that counts its wakes.
func setup(t *testing.T, pol map[string]alert.Policy) (*Pipeline, *store.Store, *atomic.Int32, *observer) {
	st := openStore(t)
	var wakes atomic.Int32
	obs := &observer{}
	p := New(Deps{Store: st, Policies: pol, Wake: func() { wakes.Add(1) }, Observer: obs,
		Log: slog.New(slog.DiscardHandler)})
	return p, st, &wakes, obs
}

// TestRecord: a recorded run is decided under its check's policy inside
// the store's transaction; what it queues is in the outbox when Record
// returns, and only then is the sender woken.
func TestRecord(t *testing.T) {
	cases := []struct {
		name        string
		pol         map[string]alert.Policy
		sev         checks.Severity
		wantStatus  alert.Status
		wantQueued  bool
		wantChannel string
	}{
		{"a passing run queues nothing", nil, checks.SevNone, alert.StatusPassing, false, ""},
		{"a critical failure opens at once", nil, checks.SevCritical, alert.StatusFailing, true, ""},
		{"an outage waits for the default threshold", nil, checks.SevAvail, alert.StatusFailing, false, ""},
		{"the check's own policy", map[string]alert.Policy{"a": {FailureThreshold: 1, SuccessThreshold: 1,
			Channel: "#auth"}}, checks.SevAvail, alert.StatusFailing, true, "#auth"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, st, wakes, obs := setup(t, c.pol)
			ctx := context.Background()
			if err := p.Record(ctx, result("a", 0, c.sev)); err != nil {
				t.Fatal(err)
			}
			if state, err := st.State(ctx, "a"); err != nil || state.Status != c.wantStatus {
				t.Fatalf("state = %+v, %v; want %s", state, err, c.wantStatus)
			}
			d, err := st.NextDue(ctx, time.Now().Add(time.Hour)) // queued at the wall clock
			if queued := err == nil; queued != c.wantQueued {
				t.Fatalf("queued %v (%v), want %v", queued, err, c.wantQueued)
			}
			if c.wantQueued && (d.Event.Kind != alert.KindOpened || d.Event.Channel != c.wantChannel) {
				t.Errorf("queued %s to %q, want opened to %q", d.Event.Kind, d.Event.Channel, c.wantChannel)
			}
			if want := map[bool]int32{true: 1}[c.wantQueued]; wakes.Load() != want {
				t.Errorf("%d wakes, want %d", wakes.Load(), want)
			}
			if obs.writes != 1 || len(obs.writeErrs) != 0 {
				t.Errorf("observed %d writes, errors %v", obs.writes, obs.writeErrs)
			}
		})
	}
}

// TestSetPolicies: a reload's policies apply from the next run on, and a
// check the reload removed is decided under the default policy.
func TestSetPolicies(t *testing.T) {
	p, _, wakes, _ := setup(t, map[string]alert.Policy{"a": {FailureThreshold: 5, SuccessThreshold: 1}})
	ctx := context.Background()
	for n := range 2 {
		if err := p.Record(ctx, result("a", n, checks.SevAvail)); err != nil {
			t.Fatal(err)
		}
	}
	if wakes.Load() != 0 {
		t.Fatal("two failures opened an incident under a threshold of 5")
	}
	p.SetPolicies(map[string]alert.Policy{"b": alert.DefaultPolicy()})
	if _, ok := p.Policies()["a"]; ok {
		t.Fatal("Policies still has the removed check")
	}
	if err := p.Record(ctx, result("a", 2, checks.SevAvail)); err != nil {
		t.Fatal(err)
	}
	if wakes.Load() != 1 {
		t.Fatalf("%d wakes: the default threshold (2) did not apply to a removed check", wakes.Load())
	}
}

type failingStore struct{ err error }

func (f failingStore) RecordRun(context.Context, checks.Result, store.Evaluator) (store.Run, []alert.Event, error) {
	return store.Run{}, []alert.Event{{Kind: alert.KindOpened}}, f.err
}

func (f failingStore) RecordFleetRun(context.Context, checks.Result, store.FleetEvaluator) (store.Run, []alert.Event, error) {
	return store.Run{}, []alert.Event{{Kind: alert.KindOpened}}, f.err
}

// TestRecordError: a run the store could not record is returned as an
// error and observed; the sender is not woken.
func TestRecordError(t *testing.T) {
	obs := &observer{}
	woke := false
	p := New(Deps{Store: failingStore{errors.New("disk I/O error")}, Wake: func() { woke = true }, Observer: obs,
		Log: slog.New(slog.DiscardHandler)})
	if err := p.Record(context.Background(), result("a", 0, checks.SevCritical)); err == nil {
		t.Fatal("no error")
	}
	if woke || len(obs.writeErrs) != 1 {
		t.Fatalf("woke %v, observed errors %v", woke, obs.writeErrs)
	}
}

type runnerFunc func(ctx context.Context, ch checks.Check) checks.Result

func (f runnerFunc) Run(ctx context.Context, ch checks.Check) checks.Result { return f(ctx, ch) }

// TestScheduledRunReachesTheOutbox: the scheduler, the pipeline and the
// store together, as serve wires them: a slot runs the check, every run is
// observed and recorded, the first one's critical failure opens an incident
// and the sender is woken.
func TestScheduledRunReachesTheOutbox(t *testing.T) {
	st := openStore(t)
	var wakes atomic.Int32
	obs := &observer{}
	run := runnerFunc(func(_ context.Context, ch checks.Check) checks.Result {
		res := result(ch.Name, 0, checks.SevCritical)
		res.Started = time.Now().UTC()
		return res
	})
	p := New(Deps{Runner: run, Store: st, Wake: func() { wakes.Add(1) }, Observer: obs, Log: slog.New(slog.DiscardHandler)})
	s := scheduler.New(p, p.Run, slog.New(slog.DiscardHandler))
	if err := s.Add(checks.Check{Name: "a", Schedule: "@every 1s"}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	for deadline := time.Now().Add(10 * time.Second); wakes.Load() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for a wake")
		}
	}
	s.Stop(time.Second)
	ctx := context.Background()
	if state, err := st.State(ctx, "a"); err != nil || state.Status != alert.StatusFailing || state.Incident == nil {
		t.Fatalf("state = %+v, %v", state, err)
	}
	if d, err := st.NextDue(ctx, time.Now().Add(time.Hour)); err != nil || d.Event.Kind != alert.KindOpened {
		t.Fatalf("first queued %+v, %v; want the incident opened", d.Event, err)
	}
	runs, err := st.Runs(ctx, "a", 100)
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if err != nil || len(runs) == 0 || len(obs.runs) != len(runs) || obs.writes != len(runs) {
		t.Errorf("%d runs stored (%v), %d observed, %d writes observed", len(runs), err, len(obs.runs), obs.writes)
	}
}

// TestRecordFleet: runs from two locations of a fleet go through the
// aggregate: an availability failure from one location of two opens
// nothing, a bypass from one opens the incident at once and its
// notification says how each location sees the check; a run of a slot
// recorded already is refused.
func TestRecordFleet(t *testing.T) {
	p, st, _, _ := setup(t, nil)
	p.SetFleet(map[string]alert.FleetRule{"api": {Locations: []string{"eu", "us"}, StaleAfter: time.Hour}})
	ctx := context.Background()
	at := func(loc string, n int, id string, sev checks.Severity) checks.Result {
		r := result("api", n, checks.SevNone)
		if sev != checks.SevNone {
			r.Probes[0].Assertions = append(r.Probes[0].Assertions, checks.Assertion{ID: id, Severity: sev, Reason: id + " failed"})
		}
		r.Location, r.Slot = loc, r.Started
		return r
	}
	for i, r := range []checks.Result{at("eu", 0, "", checks.SevNone), at("us", 0, "", checks.SevNone),
		at("eu", 1, "A2", checks.SevAvail), at("us", 1, "", checks.SevNone), at("eu", 2, "A2", checks.SevAvail)} {
		if err := p.Record(ctx, r); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	if ns, _ := st.Notifications(ctx, 10); len(ns) != 0 {
		t.Fatalf("one location of two failing availability queued %v", ns)
	}
	if err := p.Record(ctx, at("us", 2, "B1", checks.SevCritical)); err != nil {
		t.Fatal(err)
	}
	ns, err := st.Notifications(ctx, 10)
	if err != nil || len(ns) != 1 || ns[0].Event.Kind != alert.KindOpened {
		t.Fatalf("notifications %+v, %v: want one opened", ns, err)
	}
	got := map[string]string{}
	for _, l := range ns[0].Event.Locations {
		got[l.Location] = l.Status
	}
	if got["eu"] != "failing" || got["us"] != "failing" || len(got) != 2 {
		t.Fatalf("locations %v", ns[0].Event.Locations)
	}
	if f := ns[0].Event.Failures(); len(f) != 1 || f[0].Assertion.Reason != "from us: B1 failed" {
		t.Fatalf("failures %+v: want the bypass from us only", f)
	}
	if err := p.Record(ctx, at("us", 2, "", checks.SevNone)); !errors.Is(err, store.ErrSlotTaken) {
		t.Fatalf("the same slot again: %v, want ErrSlotTaken", err)
	}
}
