package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/authmon/monitor/internal/gcpace"
	"github.com/authmon/monitor/internal/scheduler"
	"github.com/authmon/monitor/internal/store"
)

var errInterrupted = errors.New("interrupted")

// loadTest runs one load test: target process, temporary database, monitor.
// Whatever happens, the target is stopped and the files are removed.
func loadTest(ctx context.Context, o options, stderr io.Writer) (rep *report, err error) {
	tgt, err := startTarget(o.hosts, o.duration+time.Minute)
	if err != nil {
		return nil, err
	}
	defer func() {
		cpu := tgt.stop()
		if rep != nil && rep.RunsRecorded > 0 {
			// Its CPU is only known for its whole life, warm-up included.
			rep.TargetCPUPer1000 = round3(cpu.Seconds() * 1000 / float64(rep.RunsRecorded*int64(o.probes)))
		}
	}()
	dir, err := os.MkdirTemp("", "authmon-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	return measure(ctx, o, tgt.addrs, filepath.Join(dir, "load.db"), quietLogger(stderr))
}

// measure runs the monitor against the target's addresses and measures it.
func measure(ctx context.Context, o options, addrs []string, dbPath string, log *slog.Logger) (*report, error) {
	begin := time.Now()
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	win := planWindow(t0, o.interval, o.duration)
	p := &probe{win: win, slots: newSlotCounter(win, o.interval, o.checks)}
	sched, err := newScheduler(st, p, generateChecks(o.checks, o.probes, o.interval, o.timeout, addrs), o.limits, t0, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	mem := startMemSampler(win)
	stopMaintain := startMaintain(st, log)
	paceCtx, stopPace := context.WithCancel(ctx)
	defer stopPace()
	go gcpace.Run(paceCtx, log) // as serve does
	sched.Start()
	started := time.Now()
	obs, err := observe(ctx, o, p, sched)
	obs.begin, obs.started = begin, started
	sched.Stop(10 * time.Second)
	stopMaintain()
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	peaks := mem.finish() // after Close: its checkpoint belongs to the peak too
	if err != nil {
		return nil, err
	}
	return buildReport(ctx, o, p, obs, peaks, dbPath)
}

// startMaintain runs the store's maintenance as serve does (at once, then
// every 10 minutes); stop ends it and waits.
func startMaintain(st *store.Store, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Maintain(ctx, store.DefaultRetention, log)
	}()
	return func() {
		cancel()
		<-done
	}
}

// observation is what is read at the window's edges.
type observation struct {
	begin    time.Time // before the store opened
	started  time.Time // the scheduler started
	cpu      time.Duration
	lateness scheduler.LatenessStats
}

// observe waits out the window, reading CPU at its edges and profiling it.
func observe(ctx context.Context, o options, p *probe, sched *scheduler.Scheduler) (observation, error) {
	if !sleepUntil(ctx, p.win.start) {
		return observation{}, errInterrupted
	}
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return observation{}, err
	}
	cpu0 := cpuSelf()
	sched.ResetLateness() // forget the warm-up
	reached := sleepUntil(ctx, p.win.end)
	obs := observation{cpu: cpuSelf() - cpu0, lateness: sched.ResetLateness()}
	stopProfile()
	if !reached {
		return observation{}, errInterrupted
	}
	err = writeHeapProfile(o.memProfile)
	sleepUntil(ctx, p.win.end.Add(drainTime(o.interval)))
	return obs, err
}

func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes what is live now: the profile shows the heap as
// of the last collection, hence the GC first.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}

// buildReport puts the figures together once the store is closed, so that
// the database has been checkpointed and its size is final.
func buildReport(ctx context.Context, o options, p *probe, obs observation, peaks memPeaks, dbPath string) (*report, error) {
	facts, err := readDB(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	size, err := dbSize(dbPath)
	if err != nil {
		return nil, err
	}
	win := p.win.end.Sub(p.win.start)
	r := &report{Checks: o.checks, IntervalS: o.interval.Seconds(), TargetHosts: o.hosts,
		MaxConcurrency: o.limits.global, MaxPerHost: o.limits.perHost, WindowS: win.Seconds(),
		Probes: o.probes, RunsExpected: int64(o.checks) * int64(win/o.interval), RecordErrors: p.errors.Load(),
		DBRuns: facts.runs, DBBytes: size, DBTables: facts.bytes}
	r.RunsRecorded, r.RunsExecuted, r.RunsFailed = p.slots.counts()
	r.RunsMissed = max(0, r.RunsExpected-r.RunsExecuted)
	r.MissedByInterval = p.slots.missedBy(o.checks)
	r.Requests = r.RunsExecuted * int64(o.probes)
	r.CPUSeconds = round2(obs.cpu.Seconds())
	if r.Requests > 0 {
		r.CPUPer1000 = round3(obs.cpu.Seconds() * 1000 / float64(r.Requests))
		r.CPUPerCheck = round3(obs.cpu.Seconds() * 1000 / float64(r.RunsExecuted))
	}
	r.StartS = round2(obs.started.Sub(obs.begin).Seconds())
	ran, last := p.slots.firstRuns()
	r.FirstRunChecks = ran
	if ran > 0 {
		r.FirstRunAllS = round2(last.Sub(obs.started).Seconds())
	}
	if facts.runs > 0 {
		r.DBBytesPerRun = math.Round(float64(size) / float64(facts.runs))
	}
	r.LatenessP50, r.LatenessP99 = msOf(obs.lateness.P50), msOf(obs.lateness.P99)
	r.LatenessMax, r.LatenessN = msOf(obs.lateness.Max), obs.lateness.N
	r.RunP50, r.RunP99, r.RunMax = msOf(p.runTime.percentile(0.5)), msOf(p.runTime.percentile(0.99)), msOf(p.runTime.maximum())
	r.RecordP50, r.RecordP99, r.RecordMax = msOf(p.record.percentile(0.5)), msOf(p.record.percentile(0.99)), msOf(p.record.maximum())
	r.MaxRSS, r.VmHWM = mibOf(maxRSS()), mibOf(procMemory().hwm)
	r.memory(peaks)
	r.hostInfo()
	return r, nil
}
