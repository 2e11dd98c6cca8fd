package web

import (
	"context"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// StatusNotes keeps the notes a person writes for the status page.
// *store.Store implements it.
type StatusNotes interface {
	// AddStatusNote stores a note and returns its id.
	AddStatusNote(ctx context.Context, n store.StatusNote) (int64, error)
	// StatusNotes returns the notes written since since, newest first.
	StatusNotes(ctx context.Context, since time.Time, limit int) ([]store.StatusNote, error)
}

// StatusComponent is one line of the status page: a name customers see for
// a set of checks, whose names never leave the monitor.
type StatusComponent struct {
	Name, Description string
	Checks            []string
}

// StatusPage is the public status page at /status and /status.json. Build
// it with NewStatusPage; it holds the rendering it serves until Cache has
// passed, so that a flood of visitors reads the store once per period.
type StatusPage struct {
	Title      string
	Cache      time.Duration
	Components []StatusComponent
	notes      StatusNotes
	cache      statusCache
}

// NewStatusPage returns the status page of the given components, with its
// notes kept in notes.
func NewStatusPage(title string, cache time.Duration, comps []StatusComponent, notes StatusNotes) *StatusPage {
	return &StatusPage{Title: title, Cache: max(cache, time.Second), Components: comps, notes: notes}
}

// The states customers see, from best to worst; unknown is a component none
// of whose checks has run yet.
const (
	stateUnknown     = "unknown"
	stateOperational = "operational"
	stateDegraded    = "degraded"
	stateOutage      = "outage"
)

var stateRank = map[string]int{stateUnknown: 0, stateOperational: 1, stateDegraded: 2, stateOutage: 3}

// worse returns the worse of two states.
func worse(a, b string) string {
	if stateRank[b] > stateRank[a] {
		return b
	}
	return a
}

// Time spans of the status page.
const (
	statusDays      = 90
	statusNoteDays  = 14 // notes older than this drop off the public page
	statusNoteLimit = 20
)

// checkState is what one check means to customers. A failing check counts
// once its incident is open (failure_threshold failed runs in a row, as for
// alerts), so that one slow answer does not turn the public page red. A
// failure of availability is an outage; a failure of conformance or
// security is a degradation (the service answers, but not as it should);
// warnings alone leave it operational.
func checkState(sum store.CheckSummary, ran bool) string {
	st := sum.State
	switch {
	case !ran:
		return stateUnknown
	case st.Status != alert.StatusFailing || st.Incident == nil:
		return stateOperational
	case st.Severity == checks.SevAvail:
		return stateOutage
	case st.Severity >= checks.SevConf:
		return stateDegraded
	}
	return stateOperational
}

// statusSnapshot is everything the public page shows, and nothing more: no
// check name, URL, evidence or assertion ever gets in here.
type statusSnapshot struct {
	Title      string
	Updated    time.Time
	State      string
	Components []statusComponentView
	Notes      []statusNoteView
}

type statusComponentView struct {
	Name, Description, State string
	// Uptime is the share of passing runs over the days shown; HasRuns is
	// false when there were none.
	Uptime  float64
	HasRuns bool
	Days    []statusDay // oldest first, statusDays of them, today last
}

// statusDay is one day's bar: the runs of all the component's checks.
type statusDay struct {
	Date         time.Time
	Runs, Failed int64
}

type statusNoteView struct {
	Created     time.Time
	Component   string // "" for every component
	Phase, Body string
}

// snapshot reads the store once for the whole page.
func (p *StatusPage) snapshot(ctx context.Context, st Store, now time.Time) (statusSnapshot, error) {
	sums, err := st.Overview(ctx)
	if err != nil {
		return statusSnapshot{}, fmt.Errorf("status page: %w", err)
	}
	byName := make(map[string]store.CheckSummary, len(sums))
	for _, s := range sums {
		byName[s.Name] = s
	}
	snap := statusSnapshot{Title: p.Title, Updated: now.UTC(), State: stateUnknown}
	for _, c := range p.Components {
		v, err := componentView(ctx, st, c, byName, now)
		if err != nil {
			return statusSnapshot{}, err
		}
		snap.State = worse(snap.State, v.State)
		snap.Components = append(snap.Components, v)
	}
	notes, err := p.notes.StatusNotes(ctx, now.Add(-statusNoteDays*24*time.Hour), statusNoteLimit)
	if err != nil {
		return statusSnapshot{}, fmt.Errorf("status page: %w", err)
	}
	for _, n := range notes {
		snap.Notes = append(snap.Notes, statusNoteView{Created: n.Created.UTC(), Component: n.Component,
			Phase: n.Phase, Body: n.Body})
	}
	return snap, nil
}

// componentView sums a component's checks: its state is the worst of
// theirs, its days the sum of their daily rollups.
func componentView(ctx context.Context, st Store, c StatusComponent, byName map[string]store.CheckSummary,
	now time.Time) (statusComponentView, error) {
	v := statusComponentView{Name: c.Name, Description: c.Description, State: stateUnknown,
		Days: make([]statusDay, statusDays)}
	from := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(statusDays - 1))
	for i := range v.Days {
		v.Days[i].Date = from.AddDate(0, 0, i)
	}
	for _, name := range c.Checks {
		sum, ran := byName[name]
		v.State = worse(v.State, checkState(sum, ran && sum.Last != nil))
		buckets, err := st.Series(ctx, name, 24*time.Hour, from, now)
		if err != nil {
			return v, fmt.Errorf("status page: %w", err)
		}
		for i, b := range buckets {
			if i < len(v.Days) {
				v.Days[i].Runs += b.Runs
				v.Days[i].Failed += b.Failed
			}
		}
	}
	var runs, failed int64
	for _, d := range v.Days {
		runs, failed = runs+d.Runs, failed+d.Failed
	}
	if runs > 0 {
		v.HasRuns, v.Uptime = true, 100*float64(runs-failed)/float64(runs)
	}
	return v, nil
}

// level is how a day's bar is coloured, by its share of passing runs: 99.9 %
// or more is operational (a failed run or two among thousands is a blip,
// which does not open an incident either), from 99 % degraded, below that
// an outage.
func (d statusDay) level() string {
	if d.Runs == 0 {
		return stateUnknown
	}
	switch up := d.uptime(); {
	case up >= 99.9:
		return stateOperational
	case up >= 99:
		return stateDegraded
	}
	return stateOutage
}

// uptime is the day's share of passing runs, in percent.
func (d statusDay) uptime() float64 { return 100 * float64(d.Runs-d.Failed) / float64(d.Runs) }
