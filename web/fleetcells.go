package web

import (
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// Each location's latest verdict of a check, judged fresh or stale as the
// fleet's vote judges it: the fleet page's matrix, a check's page and the
// API show these cells.

// locationMark is a location's verdict of a check.
type locationMark string

const (
	locPassing locationMark = "passing"
	locFailing locationMark = "failing"
	locStale   locationMark = "stale" // no result within the stale window, or none at all
	locNone    locationMark = "none"  // the check does not run from this location
)

// locationCell is one location's latest verdict of a check.
type locationCell struct {
	Location string
	Mark     locationMark
	Result   *store.LocationResult // nil: no result
	Failed   []string              // failing assertion ids, once each
	Reasons  string                // "probe · id: reason", one a line
}

// locationCells judges each location's latest verdict of c: stale once
// older than staleAfter, or when there is none.
func locationCells(c checks.Check, locs []string, res []store.LocationResult, staleAfter time.Duration, now time.Time) []locationCell {
	cells := make([]locationCell, len(locs))
	for i, l := range locs {
		cell := locationCell{Location: l, Mark: locStale}
		if len(c.Locations) > 0 && !slices.Contains(c.Locations, l) {
			cell.Mark = locNone
		}
		if j := slices.IndexFunc(res, func(r store.LocationResult) bool { return r.Location == l }); j >= 0 {
			cell.Result = &res[j]
			cell.Failed, cell.Reasons = verdictFailures(res[j].Verdict)
			if cell.Mark != locNone && now.Sub(res[j].Started) <= staleAfter {
				cell.Mark = locPassing
				if !res[j].Passed {
					cell.Mark = locFailing
				}
			}
		}
		cells[i] = cell
	}
	return cells
}

// verdictFailures lists a verdict's failed assertion ids, once each, and
// their reasons, one a line.
func verdictFailures(ps []checks.ProbeResult) (ids []string, reasons string) {
	var lines []string
	for _, p := range ps {
		for _, a := range p.Assertions {
			if a.Pass {
				continue
			}
			if !slices.Contains(ids, a.ID) {
				ids = append(ids, a.ID)
			}
			lines = append(lines, string(p.Kind)+" · "+a.ID+": "+a.Reason)
		}
	}
	return ids, strings.Join(lines, "\n")
}

// staleAfter is how old a location's result of c may be: what the fleet's
// vote uses, or else two intervals and a heartbeat's live window.
func staleAfter(self store.Standing, c checks.Check, now time.Time) time.Duration {
	if self.StaleAfter != nil {
		return self.StaleAfter(c)
	}
	return 2*scheduleInterval(c.Schedule, now) + store.LiveWindow
}

// scheduleInterval is the period of an @every schedule, or the gap between
// a cron schedule's next two firings after now; 0 when it does not parse.
func scheduleInterval(spec string, now time.Time) time.Duration {
	s, err := checks.ParseSchedule(spec)
	if err != nil {
		return 0
	}
	if cd, ok := s.(cron.ConstantDelaySchedule); ok {
		return cd.Delay
	}
	next := s.Next(now)
	return s.Next(next).Sub(next)
}

// label is the cell's text: the verdict with its failed ids, or why none.
func (c locationCell) label() string {
	switch c.Mark {
	case locPassing:
		return "✔ passing"
	case locFailing:
		return "✖ failing " + strings.Join(c.Failed, ", ")
	case locNone:
		return "·"
	default:
		return "… stale"
	}
}

// title is the cell's tooltip: the location, the verdict and the reasons.
func (c locationCell) title(check string) string {
	switch {
	case c.Mark == locNone:
		return check + " does not run from " + c.Location
	case c.Result == nil:
		return c.Location + ": no result of " + check + " yet"
	case c.Mark == locStale:
		return c.Location + ": stale, the latest result of " + check + " is too old to vote"
	case c.Mark == locFailing:
		return c.Location + " sees " + check + " failing:\n" + c.Reasons
	default:
		return c.Location + " sees " + check + " passing"
	}
}

// markState is the badge colour of a location's verdict: stale reads as
// pending (grey), never as failing.
func markState(m locationMark) string {
	switch m {
	case locPassing:
		return string(statePassing)
	case locFailing:
		return string(stateFailing)
	default:
		return string(statePending)
	}
}
