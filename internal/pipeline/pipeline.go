// Package pipeline is the path of one run, in the order it happens: run the
// check, record the run and decide its alert state in one store
// transaction, which also queues the notifications in the outbox, then wake
// the sender. The scheduler calls Run and Record; nothing else in the path
// is wired anywhere else.
package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// Runner runs a check's probes and judges the answers: *checks.Runner.
type Runner interface {
	Run(ctx context.Context, ch checks.Check) checks.Result
}

// Store records a run and, in the same transaction, folds it into the
// check's alert state with decide, saves the incident it touched and queues
// the notifications decide returned: *store.Store. A crash can then never
// keep a state change and lose its alert.
type Store interface {
	RecordRun(ctx context.Context, res checks.Result, decide store.Evaluator) (store.Run, []alert.Event, error)
	RecordFleetRun(ctx context.Context, res checks.Result, decide store.FleetEvaluator) (store.Run, []alert.Event, error)
}

// Observer is told of each run and of each write that recorded one:
// *metrics.Metrics.
type Observer interface {
	ObserveRun(res checks.Result)
	ObserveStoreWrite(d time.Duration, err error)
}

// Deps is what a Pipeline is made of. Runner and Store are required.
type Deps struct {
	Runner   Runner
	Store    Store
	Policies map[string]alert.Policy // by check; SetPolicies replaces them
	Wake     func()                  // asks the sender to look at the outbox now; nil: no sender
	Observer Observer                // nil: nothing observed
	Log      *slog.Logger            // nil: slog.Default()
	Now      func() time.Time        // times the store writes; nil: time.Now
}

// Pipeline takes a check from its run to the outbox.
type Pipeline struct {
	run      Runner
	st       Store
	policies atomic.Pointer[map[string]alert.Policy]
	fleet    atomic.Pointer[map[string]alert.FleetRule] // by check; nil: not a fleet
	wake     func()
	obs      Observer
	log      *slog.Logger
	now      func() time.Time
	oc       onCall
}

// New returns the pipeline of d.
func New(d Deps) *Pipeline {
	p := &Pipeline{run: d.Runner, st: d.Store, wake: d.Wake, obs: d.Observer, log: d.Log, now: d.Now}
	if p.wake == nil {
		p.wake = func() {}
	}
	if p.obs == nil {
		p.obs = nopObserver{}
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.SetPolicies(d.Policies)
	return p
}

// Run is step 1: it runs the check (scheduler.RunFunc).
func (p *Pipeline) Run(ctx context.Context, ch checks.Check) checks.Result {
	res := p.run.Run(ctx, ch)
	p.obs.ObserveRun(res)
	return res
}

// Record is steps 2 to 4 (scheduler.Recorder): the store records the run
// and, inside its transaction, calls decide and queues the notifications;
// once that is committed the sender is woken to deliver them.
func (p *Pipeline) Record(ctx context.Context, res checks.Result) error {
	start := p.now()
	var evs []alert.Event
	var err error
	if res.Location != "" {
		_, evs, err = p.st.RecordFleetRun(ctx, res, p.decideFleet)
	} else {
		_, evs, err = p.st.RecordRun(ctx, res, p.decide)
	}
	if errors.Is(err, store.ErrSlotTaken) {
		// A late writer (this instance stalled past its lease): the slot
		// is the other run's. Nothing is lost and nothing is wrong with
		// the store.
		p.log.Warn("run dropped: its slot was recorded by another instance", "check", res.Check,
			"location", res.Location, "slot", res.Slot)
		return droppedError{err}
	}
	p.obs.ObserveStoreWrite(p.now().Sub(start), err)
	if err != nil {
		return err
	}
	if p.log.Enabled(ctx, slog.LevelDebug) { // its arguments cost allocations on every run
		p.log.Debug("check ran", "check", res.Check, "passed", res.Passed(), "duration", res.Duration)
	}
	for _, ev := range evs {
		p.log.Info("notification queued", "check", res.Check, "kind", ev.Kind, "incident", ev.IncidentID,
			"severity", ev.Severity.String())
	}
	if len(evs) > 0 {
		p.wake()
	}
	return nil
}

// decide is step 3 (a store.Evaluator), called inside the store's
// transaction: alert.Decide under the check's current policy. A run of a
// check that a reload just removed finishes under the default policy.
func (p *Pipeline) decide(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
	pol, ok := (*p.policies.Load())[res.Check]
	if !ok {
		pol = alert.DefaultPolicy()
	}
	pol = p.applyOnCall(res.Check, prev.Incident, pol)
	return alert.Decide(prev, res, runID, pol)
}

// decideFleet is decide for a run of a fleet: the run from one location
// and the latest of every other location become the run the fleet decides
// on (alert.Aggregate: security failures count from any one location,
// availability and conformance need a quorum of fresh locations, stale
// locations never vote), and every event says how each location sees the
// check.
func (p *Pipeline) decideFleet(prev alert.State, res checks.Result, runID int64, locs []store.LocationResult) (alert.State, *alert.Incident, []alert.Event) {
	var rule alert.FleetRule
	if m := p.fleet.Load(); m != nil {
		rule = (*m)[res.Check]
	}
	verdicts := make([]alert.LocationVerdict, len(locs))
	for i, l := range locs {
		verdicts[i] = alert.LocationVerdict{Location: l.Location, At: l.Started, Probes: l.Verdict}
	}
	agg, status := alert.Aggregate(res, verdicts, rule)
	st, inc, evs := p.decide(prev, agg, runID)
	if len(status) > 1 { // a fleet in one location reads like a single monitor
		for i := range evs {
			evs[i].Locations = status
		}
	}
	return st, inc, evs
}

// SetFleet sets how each check's locations vote (a reload replaces it).
func (p *Pipeline) SetFleet(m map[string]alert.FleetRule) { p.fleet.Store(&m) }

// SetPolicies replaces the checks' policies (a reload): the next decision
// of each check applies its new one.
func (p *Pipeline) SetPolicies(m map[string]alert.Policy) { p.policies.Store(&m) }

// Policies returns the checks' policies as decide applies them now,
// snoozes included.
func (p *Pipeline) Policies() map[string]alert.Policy {
	return p.withSnoozes(*p.policies.Load(), p.now())
}

// droppedError is a run dropped on purpose and logged already: the
// scheduler does not log it again (it looks for Dropped).
type droppedError struct{ err error }

func (e droppedError) Error() string { return "run dropped: " + e.err.Error() }
func (e droppedError) Unwrap() error { return e.err }
func (droppedError) Dropped() bool   { return true }

type nopObserver struct{}

func (nopObserver) ObserveRun(checks.Result)               {}
func (nopObserver) ObserveStoreWrite(time.Duration, error) {}
