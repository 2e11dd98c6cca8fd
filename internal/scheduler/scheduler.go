// Package scheduler runs every check on its cron schedule, records each run
// and wakes the alert sender when a run changed a check's state. It is the
// one concurrent part with a lifecycle: skip-if-still-running, recovery from
// panics, and a Stop that waits for running checks.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// Recorder stores a run and folds it into the check's alert state.
type Recorder interface {
	RecordRun(ctx context.Context, res checks.Result, eval store.Evaluator) (store.Run, []alert.Event, error)
}

// RunFunc runs one check now.
type RunFunc func(ctx context.Context, ch checks.Check) checks.Result

// Scheduler owns the cron instance and the checks' jobs.
type Scheduler struct {
	cron     *cron.Cron
	rec      Recorder
	run      RunFunc
	eval     store.Evaluator
	wake     func()
	log      *slog.Logger
	ctx      context.Context // cancelled by Stop once the grace period is over
	cancel   context.CancelFunc
	jobs     map[cron.EntryID]string // entry -> check name
	first    sync.WaitGroup
	stopping chan struct{} // closed by Stop: pending first runs give up
}

// New returns a scheduler. eval decides alerts (alert.Decide under each
// check's policy); wake is called after a run queued notifications.
func New(rec Recorder, run RunFunc, eval store.Evaluator, wake func(), log *slog.Logger) *Scheduler {
	l := cronLogger{log}
	// Order matters: SkipIfStillRunning outside Recover, or a panicking job
	// would hold its lock forever.
	c := cron.New(cron.WithParser(checks.ScheduleParser), cron.WithLocation(time.UTC), cron.WithLogger(l),
		cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)))
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{cron: c, rec: rec, run: run, eval: eval, wake: wake, log: log, ctx: ctx, cancel: cancel,
		jobs: map[cron.EntryID]string{}, stopping: make(chan struct{})}
}

// Add schedules a check.
func (s *Scheduler) Add(ch checks.Check) error {
	id, err := s.cron.AddJob(ch.Schedule, cron.FuncJob(func() { s.runOnce(ch) }))
	if err != nil {
		return fmt.Errorf("schedule %s: %w", ch.Name, err)
	}
	s.jobs[id] = ch.Name
	return nil
}

// Start starts the cron loop and runs every check once right away, each
// after a small delay derived from its name, so that a fresh start shows
// results within seconds without firing every request at the same instant.
func (s *Scheduler) Start() {
	s.cron.Start()
	for id, name := range s.jobs {
		e := s.cron.Entry(id)
		delay := firstDelay(name, e.Schedule)
		s.first.Add(1)
		go func() {
			defer s.first.Done()
			select {
			case <-time.After(delay):
				e.WrappedJob.Run() // through the chain: skips if already running
			case <-s.stopping:
			}
		}()
	}
}

// firstDelay spreads first runs over up to 2 s (or the interval, if shorter).
func firstDelay(name string, sched cron.Schedule) time.Duration {
	now := time.Now()
	spread := min(2*time.Second, sched.Next(now).Sub(now))
	if spread <= 0 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return time.Duration(h.Sum32()) % spread
}

// Stop stops scheduling and waits for running checks to finish; after grace
// they are cancelled (their runs are then not recorded) and awaited.
func (s *Scheduler) Stop(grace time.Duration) {
	close(s.stopping)
	t := time.AfterFunc(grace, s.cancel)
	defer t.Stop()
	<-s.cron.Stop().Done()
	s.first.Wait()
	s.cancel()
}

// runOnce runs a check, records the result and wakes the sender on an event.
func (s *Scheduler) runOnce(ch checks.Check) {
	res := s.run(s.ctx, ch)
	if s.ctx.Err() != nil {
		// Cancelled by shutdown: the failures are ours, not the target's.
		s.log.Info("check cancelled by shutdown, run not recorded", "check", ch.Name)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, evs, err := s.rec.RecordRun(ctx, res, s.eval)
	if err != nil {
		s.log.Error("record run", "check", ch.Name, "err", err)
		return
	}
	s.log.Debug("check ran", "check", ch.Name, "passed", res.Passed(), "duration", res.Duration)
	for _, ev := range evs {
		s.log.Info("notification queued", "check", ch.Name, "kind", ev.Kind, "incident", ev.IncidentID,
			"severity", ev.Severity.String())
	}
	if len(evs) > 0 {
		s.wake()
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
