package main

import (
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"sync/atomic"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/config"
)

// live is what a reload swaps while the monitor runs, besides the policies
// (the pipeline holds those): the checks the dashboard lists and how the
// last load went. Readers never lock.
type live struct {
	checks atomic.Pointer[[]checks.Check]
	status atomic.Pointer[loadStatus]
}

// loadStatus is the outcome of the latest load: when, and its error if the
// file was refused.
type loadStatus struct {
	at  time.Time
	err error
}

func newLive(cfg *config.Config, at time.Time) *live {
	l := &live{}
	l.checks.Store(&cfg.Checks)
	l.status.Store(&loadStatus{at: at})
	return l
}

// currentChecks is web.Deps.Checks.
func (l *live) currentChecks() []checks.Check { return *l.checks.Load() }

// lastLoad is web.Deps.Reload.
func (l *live) lastLoad() (time.Time, error) {
	s := l.status.Load()
	return s.at, s.err
}

// serveReloads reloads the config on every signal from hup until ctx ends.
func (a *app) serveReloads(ctx context.Context, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = a.reload() // logged and shown on the dashboard
		}
	}
}

// reload loads the config file again. A file with problems changes nothing:
// they are logged and the dashboard shows the first. A valid file is applied
// as a difference: unchanged checks keep their cron entry and slot, changed
// ones are rescheduled, removed ones stop (a run in progress finishes), and
// added ones run at their first slot.
func (a *app) reload() error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	now := time.Now()
	next, err := config.Load(a.cfg.Path)
	if err != nil {
		a.refuse(err, now)
		return err
	}
	a.redact.Add(next.Secrets...)
	warnInsecure(a.log, next)
	d := diffChecks(a.cfg, next)
	// Policies first: a new check's first run must find its own.
	a.pipe.SetPolicies(next.Policies)
	for _, name := range slices.Concat(d.removed, names(d.changed)) {
		a.sched.Remove(name)
	}
	fresh := map[string]bool{}
	for _, ch := range slices.Concat(d.changed, d.added) {
		fresh[ch.Name] = true
	}
	for i := range next.Checks {
		// The scheduler reads the new config's checks, the unchanged ones
		// too, so that the old config can be freed.
		ch := &next.Checks[i]
		if !fresh[ch.Name] {
			a.sched.Rebind(ch)
		} else if err := a.sched.AddRef(ch); err != nil { // validated by Load: cannot happen
			a.log.Error("config reload: cannot schedule a check", "check", ch.Name, "err", err)
		}
	}
	a.live.checks.Store(&next.Checks)
	a.applyRest(a.cfg, next)
	next.Location = a.cfg.Location // -location and AUTHMON_LOCATION hold until a restart
	a.cfg = next
	if a.fleet != nil {
		a.fleet.Kick() // the new hash, and the schedule if it is the fleet's
	}
	a.live.status.Store(&loadStatus{at: now})
	a.metrics.ObserveReload(true)
	a.log.Info("config reloaded", "added", len(d.added), "changed", len(d.changed), "removed", len(d.removed),
		"unchanged", d.unchanged)
	return nil
}

// refuse keeps the running config: it logs every problem of the file at
// ERROR and remembers the refusal for the dashboard.
func (a *app) refuse(err error, at time.Time) {
	a.logLoadError(err)
	a.metrics.ObserveReload(false)
	// The dashboard may have no login: no known secret on it.
	shown := errors.New(a.redact.String(err.Error()))
	a.live.status.Store(&loadStatus{at: at, err: shown})
}

// logLoadError logs every problem of a refused file.
func (a *app) logLoadError(err error) {
	var ps config.Problems
	if !errors.As(err, &ps) {
		a.log.Error("config reload failed, still running the previous config", "err", err)
		return
	}
	for _, p := range ps {
		a.log.Error("config reload: " + p.String())
	}
	a.log.Error("config reload failed, still running the previous config", "problems", len(ps))
}

// checkDiff is what a reload changes about the checks.
type checkDiff struct {
	added, changed []checks.Check
	removed        []string
	unchanged      int
}

// diffChecks compares two configs check by check, by name: a check is
// unchanged when its definition and its alert policy are deeply equal.
func diffChecks(old, next *config.Config) checkDiff {
	var d checkDiff
	before := make(map[string]checks.Check, len(old.Checks))
	for _, ch := range old.Checks {
		before[ch.Name] = ch
	}
	for _, ch := range next.Checks {
		prev, ok := before[ch.Name]
		delete(before, ch.Name)
		switch {
		case !ok:
			d.added = append(d.added, ch)
		case config.SameCheck(prev, ch) && config.SamePolicy(old.Policies[ch.Name], next.Policies[ch.Name]):
			d.unchanged++
		default:
			d.changed = append(d.changed, ch)
		}
	}
	for _, ch := range old.Checks { // in file order
		if _, gone := before[ch.Name]; gone {
			d.removed = append(d.removed, ch.Name)
		}
	}
	return d
}

func names(list []checks.Check) []string {
	out := make([]string, len(list))
	for i, ch := range list {
		out[i] = ch.Name
	}
	return out
}

// applyRest applies what else a reload may change: retention takes effect
// at once; Slack, the limits and the sample API need a restart.
func (a *app) applyRest(old, next *config.Config) {
	if old.Retention != next.Retention {
		a.startMaintain(next.Retention)
	}
	a.store.SetFolding(next.FoldRepeats)
	restart := map[string]bool{
		"[slack]":    !reflect.DeepEqual(old.Slack, next.Slack),
		"[channels]": !reflect.DeepEqual(old.Channels, next.Channels),
		"[monitor] max_concurrency and max_per_host": old.MaxConcurrency != next.MaxConcurrency || old.MaxPerHost != next.MaxPerHost,
		"[demo]":             !reflect.DeepEqual(old.Demo, next.Demo),
		"[dashboard]":        !reflect.DeepEqual(old.Dashboard, next.Dashboard),
		"[monitor] location": next.Location != "" && next.Location != old.Location,
	}
	for what, changed := range restart {
		if changed {
			a.log.Warn("config reload: changes to " + what + " take effect after a restart")
		}
	}
}
