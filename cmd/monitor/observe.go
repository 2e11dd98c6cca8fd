package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/metrics"
	"github.com/authmon/monitor/internal/store"
)

// readyTimeout bounds the readiness probe: a database that cannot give its
// write lock within it is not ready.
const readyTimeout = 2 * time.Second

// checkStates is metrics.Sources.Checks: every configured check (and only
// those) with its stored state.
func (a *app) checkStates(ctx context.Context) ([]metrics.CheckState, error) {
	sums, err := a.store.Overview(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]int, len(sums)) // an index, not a copy: a summary is large, and a scrape reads thousands
	for i := range sums {
		byName[sums[i].Name] = i
	}
	cfg := a.live.currentChecks()
	out := make([]metrics.CheckState, 0, len(cfg))
	for _, c := range cfg {
		cs := metrics.CheckState{Check: c.Name, State: "pending"}
		i, ok := byName[c.Name]
		var sum *store.CheckSummary
		if ok {
			sum = &sums[i]
		}
		if ok && sum.State.Status != alert.StatusUnknown {
			cs.State, cs.Severity = string(sum.State.Status), sum.State.Severity
		}
		if ok && sum.Last != nil {
			cs.LastRun = sum.Last.Started
			if sum.Last.Passed() {
				cs.LastSuccess = cs.LastRun
			}
		}
		out = append(out, cs)
	}
	return out, nil
}

// ready is web.Deps.Ready: the database takes writes and the scheduler
// runs. The reasons are plain words for anyone polling; details go to the log.
func (a *app) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var problems []string
	if err := a.store.Writable(ctx); err != nil {
		if a.unwritable.CompareAndSwap(false, true) { // once per outage: probes come often
			a.log.Warn("not ready: database not writable", "err", err)
		}
		problems = append(problems, notWritable(err))
	} else if a.unwritable.CompareAndSwap(true, false) {
		a.log.Info("ready: database writable again")
	}
	if a.sched == nil || !a.sched.Running() {
		problems = append(problems, "scheduler not running")
	}
	if a.fleet != nil {
		if p := a.fleet.problem(); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// notWritable says, for /readyz, why the database cannot be written:
// publicly readable, so the reason is a category, never a host or a URL.
func notWritable(err error) string {
	switch {
	case errors.Is(err, store.ErrUnreachable):
		return "database not writable (PostgreSQL unreachable)"
	case errors.Is(err, store.ErrReadOnly):
		return "database not writable (PostgreSQL read-only)"
	}
	return "database not writable"
}
