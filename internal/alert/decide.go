package alert

import (
	"slices"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// Decide folds one run (stored as runID) into a check's state under its
// policy. It returns the next state, the incident the run touched (opened,
// updated or resolved; nil if none) for the store to persist, and the
// notifications to queue. It is pure: time comes from the run.
func Decide(prev State, res checks.Result, runID int64, p Policy) (State, *Incident, []Event) {
	st := observe(prev, res, runID, p)
	now := res.Started
	silenced := p.silenced(now)
	st.flapTransition(prev.Flapping, now, p)
	var evs []Event
	var touched *Incident
	switch {
	case st.Incident == nil && st.Status == StatusFailing && (st.FailStreak >= p.FailureThreshold || critical(res)):
		st.Incident = open(&st, res, runID, p)
		touched = st.Incident
		evs = append(evs, st.announce(st.quiet(silenced), now, p)...)
	case st.Incident != nil && st.Status == StatusFailing:
		touched = st.Incident
		evs = append(evs, st.stillFailing(res, runID, silenced, p)...)
	case st.Incident != nil && st.PassStreak >= p.SuccessThreshold:
		touched = st.Incident
		touched.Resolved = now
		evs = append(evs, st.closing(silenced, now, p))
		st.Incident = nil
	}
	// The flapping notices go first, and after the incident's change, so that
	// "stable again" names an incident folded by this very run.
	return st, touched, append(st.flapNotices(silenced, now, p), evs...)
}

// quiet reports whether the open incident's notifications are held back: in
// a silence, or while flapping when the incident is only availability noise.
// A security incident is never folded into flapping: an intermittent bypass
// (one backend of several without auth) is exactly what flaps.
func (st *State) quiet(silenced bool) bool {
	return silenced || (st.Flapping && foldable(st.Incident.Severity))
}

// foldable reports whether flapping may hold back incidents of sev.
func foldable(sev checks.Severity) bool { return sev < checks.SevHighSec }

// closing is the notification of a resolved incident. An announced incident
// is always closed where it was announced, even in a silence or while
// flapping: a Slack thread is never left red. One that was never announced
// was folded; it is not sent but still logged, and a flapping one is named
// by the "stable again" notice.
func (st *State) closing(silenced bool, now time.Time, p Policy) Event {
	inc := st.Incident
	if inc.Announced {
		return st.event(KindResolved, now, p)
	}
	ev := st.event(KindFolded, now, p)
	ev.Reason = "silence" // now, or one that ended before it failed again
	if st.Flapping || st.FlapNoticed {
		st.Folded = append(slices.Clone(st.Folded), inc.ID)
		if !silenced {
			ev.Reason = "flapping"
		}
	}
	return ev
}

// observe updates the run-level facts: status, streaks, evidence, changes.
func observe(prev State, res checks.Result, runID int64, p Policy) State {
	st := prev
	st.Check = res.Check
	failures := res.Failures()
	var snap Snapshot
	if len(failures) == 0 && prev.LastPass != nil && sameGot(prev.LastPass.Got, res) {
		// A pass that got what the last one did, nearly every run: its
		// snapshot is the last one's, which nothing modifies.
		snap = Snapshot{RunID: runID, At: res.Started, Got: prev.LastPass.Got}
	} else {
		snap = snapshot(res, runID)
	}
	st.Status, st.Severity, st.Failing = StatusPassing, checks.SevNone, nil
	if len(failures) > 0 {
		st.Status, st.Severity, st.Failing = StatusFailing, res.Severity(), failureKeys(failures)
	}
	if st.Status != prev.Status {
		st.Since = res.Started
		if prev.Status != StatusUnknown {
			st.Changes = append(slices.Clone(prev.Changes), res.Started)
		}
	}
	st.Changes = slices.DeleteFunc(slices.Clone(st.Changes), func(t time.Time) bool {
		return res.Started.Sub(t) > p.FlapWindow
	})
	if st.Status == StatusFailing {
		st.FailStreak, st.PassStreak = prev.FailStreak+1, 0
		if st.FailStreak == 1 {
			snap.Failures = failures
			st.Streak = &snap
		}
	} else {
		st.FailStreak, st.PassStreak = 0, prev.PassStreak+1
		st.LastPass, st.Streak = &snap, nil
	}
	return st
}

func critical(res checks.Result) bool {
	return res.Severity() == checks.SevCritical
}

// open starts an incident at the first failing run of the streak.
func open(st *State, res checks.Result, runID int64, p Policy) *Incident {
	inc := &Incident{Check: res.Check, Severity: res.Severity(), Opened: res.Started,
		FirstFailRun: runID, LastFailRun: runID, LastFail: res.Started}
	if st.Streak != nil {
		inc.Opened, inc.FirstFailRun = st.Streak.At, st.Streak.RunID
	}
	if st.LastPass != nil {
		inc.BeforeRun = st.LastPass.RunID
	}
	inc.Regressions = st.regressions(nil, res.Failures())
	inc.Channel = p.channelFor(inc.Severity)
	return inc
}

// announce queues the "opened" notification unless quiet; an unannounced
// incident is announced by a later run once the quiet ends.
func (st *State) announce(quiet bool, now time.Time, p Policy) []Event {
	inc := st.Incident
	if quiet {
		inc.Silenced = inc.Silenced || p.silenced(now)
		return nil
	}
	inc.Announced = true
	if p.Reminder > 0 {
		inc.NextReminder = now.Add(p.Reminder)
	}
	return []Event{st.event(KindOpened, now, p)}
}

// stillFailing extends an open incident with a failing run.
func (st *State) stillFailing(res checks.Result, runID int64, silenced bool, p Policy) []Event {
	inc := st.Incident
	inc.LastFailRun, inc.LastFail = runID, res.Started
	before := len(inc.Regressions)
	inc.Regressions = st.regressions(inc.Regressions, res.Failures())
	added := inc.Regressions[before:]
	rose := res.Severity() > inc.Severity
	inc.Severity = max(inc.Severity, res.Severity())
	now := res.Started
	quiet := st.quiet(silenced)
	if !inc.Announced {
		return st.announce(quiet, now, p)
	}
	if quiet {
		inc.Silenced = inc.Silenced || p.silenced(now)
		return nil
	}
	var evs []Event
	if len(added) > 0 || rose {
		ev := st.event(KindUpdated, now, p)
		for _, r := range added {
			ev.Added = append(ev.Added, r.Key)
		}
		evs = append(evs, ev)
	}
	if p.AckedBy != "" {
		return evs // acknowledged: someone is on it
	}
	if p.Reminder > 0 && !now.Before(inc.NextReminder) {
		inc.NextReminder = now.Add(p.Reminder)
		evs = append(evs, st.event(KindReminder, now, p))
	}
	if e, ok := p.escalationFor(inc.Severity); ok && !inc.Escalated && !now.Before(inc.Opened.Add(e.After)) {
		inc.Escalated, inc.EscalatedTo = true, slices.Clone(e.To)
		evs = append(evs, st.event(KindEscalated, now, p))
	}
	return evs
}

// regressions merges a run's failures into the known ones: a known key gets
// the latest evidence, a new key is appended with its "before".
func (st *State) regressions(known []Regression, failures []checks.Failure) []Regression {
	out := slices.Clone(known)
	for _, f := range failures {
		key := string(f.Probe) + "/" + f.Assertion.ID
		i := slices.IndexFunc(out, func(r Regression) bool { return r.Key == key })
		if i >= 0 {
			out[i].Failure = f
			continue
		}
		r := Regression{Key: key, Failure: f}
		if st.LastPass != nil {
			r.Before = st.LastPass.Got[key]
		}
		out = append(out, r)
	}
	return out
}

// event builds a notification about the check's incident (if any).
func (st *State) event(kind Kind, now time.Time, p Policy) Event {
	ev := Event{Kind: kind, Check: st.Check, At: now, Severity: st.Severity, DashboardURL: p.DashboardURL}
	if inc := st.Incident; inc != nil {
		ev.IncidentID, ev.Severity, ev.Since = inc.ID, inc.Severity, inc.Opened
		ev.Regressions, ev.Channel, ev.Resolved = slices.Clone(inc.Regressions), inc.Channel, inc.Resolved
		if inc.Severity == checks.SevCritical {
			ev.Mention = p.Mention
		}
	}
	if ev.Channel == "" {
		ev.Channel = p.channelFor(ev.Severity)
	}
	ev.Channels = slices.Clone(p.Routes[ev.Severity])
	ev.AckedBy = p.AckedBy
	if inc := st.Incident; inc != nil && inc.Escalated {
		if len(ev.Channels) == 0 {
			ev.Channels = []string{DefaultChannel} // where it went before escalating
		}
		for _, ch := range inc.EscalatedTo {
			if !slices.Contains(ev.Channels, ch) {
				ev.Channels = append(ev.Channels, ch)
			}
		}
	}
	return ev
}

func snapshot(res checks.Result, runID int64) Snapshot {
	s := Snapshot{RunID: runID, At: res.Started, Got: map[string]string{}}
	for _, pr := range res.Probes {
		for _, a := range pr.Assertions {
			s.Got[string(pr.Kind)+"/"+a.ID] = a.Got
		}
	}
	return s
}

// sameGot reports whether snapshot(res, …).Got would equal got. It builds
// no key: the common answer, yes, then costs no allocation.
func sameGot(got map[string]string, res checks.Result) bool {
	n := 0
	var buf [64]byte
	for i, pr := range res.Probes {
		for j, a := range pr.Assertions {
			// snapshot keeps the last of equal keys: with any, compare the
			// long way.
			if duplicateKey(res.Probes, i, j) {
				return false
			}
			key := append(append(append(buf[:0], pr.Kind...), '/'), a.ID...)
			if v, ok := got[string(key)]; !ok || v != a.Got {
				return false
			}
			n++
		}
	}
	return n == len(got)
}

// duplicateKey reports whether assertion j of probe i has the key of an
// earlier assertion of the run: the same probe kind and id.
func duplicateKey(ps []checks.ProbeResult, i, j int) bool {
	id, kind := ps[i].Assertions[j].ID, ps[i].Kind
	for _, a := range ps[i].Assertions[:j] {
		if a.ID == id {
			return true
		}
	}
	for _, p := range ps[:i] {
		if p.Kind == kind && slices.ContainsFunc(p.Assertions, func(a checks.Assertion) bool { return a.ID == id }) {
			return true
		}
	}
	return false
}

func failureKeys(fs []checks.Failure) []string {
	keys := make([]string, 0, len(fs))
	for _, f := range fs {
		keys = append(keys, string(f.Probe)+"/"+f.Assertion.ID)
	}
	return keys
}

// IncidentEvent builds a notification of kind about inc outside a run (an
// acknowledgement from the dashboard or Slack), routed as the incident's
// other notifications are under p.
func IncidentEvent(kind Kind, inc Incident, now time.Time, p Policy) Event {
	st := State{Check: inc.Check, Severity: inc.Severity, Incident: &inc}
	return st.event(kind, now, p)
}
