package alert

import (
	"slices"
	"time"
)

// flapTransition starts flapping when the check changed state too often and
// ends it once the check has been calm long enough. The notices are left to
// flapNotices, which holds them during a silence.
func (st *State) flapTransition(was bool, now time.Time, p Policy) {
	switch {
	case !was && p.FlapChanges > 0 && len(st.Changes) >= p.FlapChanges:
		st.Flapping = true
	case was && now.Sub(st.Since) >= p.FlapCalm:
		st.Flapping, st.Changes = false, nil // count afresh from here
	}
	if st.Flapping {
		st.FlapCount = max(st.FlapCount, len(st.Changes))
	} else if !st.FlapNoticed {
		st.FlapCount = 0
	}
}

// flapNotices says "flapping" once flapping began and "stable again" once it
// ended, unless silenced: like every notification, they wait for the end of
// a silence, and one not sent yet is sent then if still true. Flapping that
// began and ended unseen is never announced (its folded incidents were
// logged one by one).
func (st *State) flapNotices(silenced bool, now time.Time, p Policy) []Event {
	if silenced {
		return nil
	}
	switch {
	case st.Flapping && !st.FlapNoticed:
		st.FlapNoticed = true
		ev := st.event(KindFlapping, now, p)
		ev.Changes, ev.Window, ev.Calm = st.FlapCount, p.FlapWindow, p.FlapCalm
		if st.Incident != nil && st.Incident.ID != 0 {
			ev.Incidents = []int64{st.Incident.ID}
		}
		return []Event{ev}
	case !st.Flapping && st.FlapNoticed:
		st.FlapNoticed = false
		ev := st.event(KindCalm, now, p)
		ev.Status, ev.Changes = st.Status, st.FlapCount
		ev.Incidents, st.Folded = slices.Clone(st.Folded), nil
		return []Event{ev}
	case !st.Flapping:
		st.Folded = nil // flapping ended unseen, inside a silence
	}
	return nil
}
