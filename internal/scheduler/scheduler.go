// Package scheduler runs every check on its cron schedule and hands each
// result to a Recorder (the pipeline, which records it and alerts). It is
// the one concurrent part with a lifecycle: jittered slots, limits on
// running checks, skip-if-still-running, recovery from panics, checks added
// and removed while running, and a Stop that waits for running checks.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/checks"
)

// Recorder takes each run that finished (not one cancelled by Stop). What
// the run means, its state and its alerts, is the Recorder's business: the
// scheduler only logs an error.
type Recorder interface {
	Record(ctx context.Context, res checks.Result) error
}

// RunFunc runs one check now.
type RunFunc func(ctx context.Context, ch checks.Check) checks.Result

// Scheduler owns the cron instance and the checks' jobs.
type Scheduler struct {
	cron   *cron.Cron
	rec    Recorder
	run    RunFunc
	log    *slog.Logger
	base   time.Time // @every slots are counted from here
	limits *limiter
	late   histogram
	ctx    context.Context // cancelled by Stop once the grace period is over
	cancel context.CancelFunc
	// waitCtx is cancelled as soon as Stop is called: runs waiting for a
	// slot give up.
	waitCtx     context.Context
	stopWaiting context.CancelFunc

	mu      sync.Mutex
	batches map[string]*batch // batch key -> cron entry of its checks (not in a fleet)
	jobs    map[string]*job   // check name -> job
	fleet   *fleet            // nil: cron fires the slots (WithFleet)

	obs   Observer
	skips *skipBook
	// running is true between Start and Stop, for the readiness probe.
	running atomic.Bool
	started atomic.Bool // the claim loop runs (a fleet)
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithLimits bounds the checks running at once: global in total, perHost
// against one target host. A value below 1 keeps the default (256 and 8).
func WithLimits(global, perHost int) Option {
	return func(s *Scheduler) { s.limits = newLimiter(global, perHost) }
}

// Observer is told how late each run started and which runs did not happen
// and why (SkipStillRunning, SkipNoSlot); metrics implement it.
type Observer interface {
	ObserveLateness(d time.Duration)
	ObserveSkipped(check, reason string, n int)
}

type nopObserver struct{}

func (nopObserver) ObserveLateness(time.Duration)      {}
func (nopObserver) ObserveSkipped(string, string, int) {}

// WithObserver reports lateness and skipped runs to o.
func WithObserver(o Observer) Option {
	return func(s *Scheduler) { s.obs = o }
}

// WithBase counts the slots of @every schedules from base instead of from
// the call to New.
func WithBase(base time.Time) Option {
	return func(s *Scheduler) { s.base = base }
}

// New returns a scheduler that runs checks with run and hands their results
// to rec.
func New(rec Recorder, run RunFunc, log *slog.Logger, opts ...Option) *Scheduler {
	l := cronLogger{log}
	// A job skips its own slot while its previous run goes on (job.Run), in
	// place of cron.SkipIfStillRunning, which drops the slot with a debug
	// line only. Each cron entry is a batch of checks (batch.Run), which
	// recovers each run's panic itself; Recover guards the batch.
	c := cron.New(cron.WithParser(checks.ScheduleParser), cron.WithLocation(time.UTC), cron.WithLogger(l),
		cron.WithChain(cron.Recover(l)))
	s := &Scheduler{cron: c, rec: rec, run: run, log: log, base: time.Now(),
		limits: newLimiter(0, 0), obs: nopObserver{}, batches: map[string]*batch{}, jobs: map[string]*job{}, skips: newSkipBook(time.Now().UTC())}
	for _, o := range opts {
		o(s)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.waitCtx, s.stopWaiting = context.WithCancel(s.ctx)
	return s
}

// Add schedules a check. Its first run is its first slot after Start (or
// after now, once started): within one interval.
func (s *Scheduler) Add(ch checks.Check) error { return s.AddRef(&ch) }

// AddRef is Add for a check the caller keeps and never changes (the
// config's): the scheduler reads it rather than a copy of its own, which at
// 10,000 checks was 7 MB of the live heap.
func (s *Scheduler) AddRef(ch *checks.Check) error {
	sched, err := checks.ParseSchedule(ch.Schedule)
	if err != nil {
		return fmt.Errorf("schedule %s: %w", ch.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.jobs[ch.Name]; dup {
		return fmt.Errorf("schedule %s: already scheduled", ch.Name)
	}
	j := &job{s: s, host: hostOf(ch.URL), slot: newJittered(ch.Name, sched, s.base)}
	j.ref.Store(ch)
	s.jobs[ch.Name] = j
	if s.fleet == nil {
		s.addToBatch(j)
	}
	return nil
}

// Rebind makes a scheduled check read ch, the same definition in a newer
// config, so that the older config can be freed; its slot and cron entry
// stay. It reports whether the check was scheduled.
func (s *Scheduler) Rebind(ch *checks.Check) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[ch.Name]
	if ok {
		j.ref.Store(ch)
	}
	return ok
}

// Remove unschedules a check; a run in progress finishes (and is recorded).
// It reports whether the check was scheduled.
func (s *Scheduler) Remove(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[name]
	if ok {
		s.removeFromBatch(j)
	}
	delete(s.jobs, name)
	return ok
}

// EntryID returns the cron entry that fires a scheduled check (that of its
// batch).
func (s *Scheduler) EntryID(name string) (cron.EntryID, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[name]
	if !ok || j.batch == nil {
		return 0, false
	}
	return j.batch.id, true
}

// Start starts the cron loop. Each check first runs at its first slot.
func (s *Scheduler) Start() {
	s.running.Store(true)
	if s.fleet != nil {
		if s.started.CompareAndSwap(false, true) {
			go s.claimLoop()
		}
		return
	}
	s.cron.Start()
}

// Running reports whether the scheduler was started and not stopped.
func (s *Scheduler) Running() bool { return s.running.Load() }

// Stop stops scheduling and waits for running checks to finish; after grace
// they are cancelled (their runs are then not recorded) and awaited. Runs
// still waiting for a slot give up at once.
func (s *Scheduler) Stop(grace time.Duration) {
	s.running.Store(false)
	s.stopWaiting()
	t := time.AfterFunc(grace, s.cancel)
	defer t.Stop()
	if f := s.fleet; f != nil {
		if s.started.Load() {
			<-f.done
		}
		f.wg.Wait()
	} else {
		<-s.cron.Stop().Done()
	}
	s.cancel()
}

// Lateness reports the median and 99th percentile of how late runs started
// (see LatenessStats) since New or the last ResetLateness, and how many runs
// were measured.
func (s *Scheduler) Lateness() (p50, p99 time.Duration, n int) {
	st := s.late.stats(false)
	return st.P50, st.P99, st.N
}

// ResetLateness returns the lateness measured so far and starts afresh.
func (s *Scheduler) ResetLateness() LatenessStats { return s.late.stats(true) }

// record hands a result to the Recorder, unless shutdown cancelled its run.
func (s *Scheduler) record(ch checks.Check, res checks.Result) {
	if s.ctx.Err() != nil {
		// Cancelled by shutdown: the failures are ours, not the target's.
		s.log.Info("check cancelled by shutdown, run not recorded", "check", ch.Name)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var dropped interface{ Dropped() bool }
	if err := s.rec.Record(ctx, res); err != nil && !(errors.As(err, &dropped) && dropped.Dropped()) {
		// A run dropped on purpose (a slot another instance recorded) was
		// logged by the Recorder; anything else is an error.
		s.log.Error("record run", "check", ch.Name, "err", err)
	}
}

// cronLogger sends cron's own messages to slog: errors (such as a recovered
// panic) at error level, the chatter at debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	if errors.Is(err, context.Canceled) {
		return
	}
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
