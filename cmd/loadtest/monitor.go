package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/pipeline"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/internal/scheduler"
	"github.com/authmon/monitor/internal/store"
)

// maxProbes is how many HTTP requests a run can make: valid, missing,
// wrong (-probes takes the first P).
const maxProbes = 3

// loadProbes are the first p probes of a generated check.
func loadProbes(p int) []checks.ProbeSpec {
	return []checks.ProbeSpec{
		{Kind: checks.ProbeValid},
		{Kind: checks.ProbeMissing, Scheme: "Basic", Realm: targetRealm},
		{Kind: checks.ProbeWrong, Scheme: "Basic", Realm: targetRealm},
	}[:p]
}

// generateChecks returns n Basic-auth checks named load-0000…, each making
// probes requests, spread round-robin over the target's addresses.
func generateChecks(n, probes int, interval, timeout time.Duration, addrs []string) []checks.Check {
	out := make([]checks.Check, n)
	for i := range out {
		out[i] = checks.Check{
			Name:     fmt.Sprintf("load-%04d", i),
			Schedule: "@every " + interval.String(),
			Timeout:  timeout,
			Method:   "GET",
			URL:      fmt.Sprintf("http://%s/protected/%d", addrs[i%len(addrs)], i),
			Auth:     checks.Credential{Kind: checks.AuthBasic, Username: targetUser, Password: targetPass},
			Probes:   loadProbes(probes),
			MaxBody:  1 << 20,
			Secrets:  []string{targetPass},
		}
	}
	return out
}

// window is the measured part of a load test: after the warm-up, a whole
// number of intervals long.
type window struct{ start, end time.Time }

func (w window) contains(t time.Time) bool { return !t.Before(w.start) && t.Before(w.end) }

// planWindow starts measuring once every check had its first slot (within
// one interval of t0, the scheduler's base) and at least 2 s have passed
// (connections opened, database warm). Every check has one slot per interval,
// so a window of k intervals holds exactly k slots per check, whatever its
// jittered phase. The window ends a drain time before t0+duration.
func planWindow(t0 time.Time, interval, duration time.Duration) window {
	start := t0.Add(max(interval, 2*time.Second))
	k := t0.Add(duration-drainTime(interval)).Sub(start) / interval
	return window{start: start, end: start.Add(k * interval)}
}

// drainTime is how long the scheduler keeps running after the window: Stop
// makes runs still waiting for a concurrency slot give up, and the runs of
// the window's last slots must not be among them.
func drainTime(interval time.Duration) time.Duration { return min(interval/2, time.Second) }

// probe wraps the monitor's pieces to count what the load test reports,
// without changing what they do.
type probe struct {
	win     window
	slots   *slotCounter
	runTime histogram    // checks.Run: three requests
	record  histogram    // pipeline Record (store.RecordRun): one transaction
	errors  atomic.Int64 // Record errors, at any time
}

// timedRunner is a checks.Runner with the shared client and one redactor
// knowing every check's secrets, as serve runs it, timed.
type timedRunner struct {
	r *checks.Runner
	p *probe
}

func (t timedRunner) Run(ctx context.Context, ch checks.Check) checks.Result {
	res := t.r.Run(ctx, ch)
	if t.p.win.contains(res.Started) {
		t.p.runTime.add(res.Duration)
	}
	return res
}

// recorder is the pipeline's Record (store.RecordRun and alert.Decide in one
// transaction), counted and timed.
type recorder struct {
	next scheduler.Recorder
	p    *probe
}

func (r recorder) Record(ctx context.Context, res checks.Result) error {
	start := time.Now()
	if err := r.next.Record(ctx, res); err != nil {
		r.p.errors.Add(1)
		return err
	}
	r.p.slots.add(res)
	if r.p.win.contains(res.Started) {
		r.p.record.add(time.Since(start))
	}
	return nil
}

// limits are the scheduler's bounds on running checks, as configured by
// [monitor] max_concurrency and max_per_host.
type limits struct{ global, perHost int }

// newScheduler wires the real scheduler and pipeline as serve does:
// checks.Run with a client pooling perHost connections per host, the store,
// alert.Decide under the default policy. No sender runs: passing checks
// queue no notification. Slots count from t0, the time the window was
// planned from.
func newScheduler(st *store.Store, p *probe, cks []checks.Check, lim limits, t0 time.Time, log *slog.Logger) (*scheduler.Scheduler, error) {
	red := redact.New()
	for _, ch := range cks {
		red.Add(append(checks.CredentialSecrets(ch.Auth), ch.Secrets...)...)
	}
	runner := timedRunner{r: checks.NewRunner(checks.NewClient(lim.perHost), nil, red), p: p}
	pipe := pipeline.New(pipeline.Deps{Runner: runner, Store: st, Log: log})
	s := scheduler.New(recorder{next: pipe, p: p}, pipe.Run, log,
		scheduler.WithLimits(lim.global, lim.perHost), scheduler.WithBase(t0))
	for i := range cks {
		if err := s.AddRef(&cks[i]); err != nil { // as serve does: one copy of each check
			return nil, err
		}
	}
	return s, nil
}

// quietLogger logs only warnings and errors, so that the report is not lost
// among the scheduler's shutdown notices. Per-run lines are debug level,
// off here as in serve.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
