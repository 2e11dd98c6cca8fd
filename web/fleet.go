package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// The fleet page (/fleet) shows the monitors sharing one PostgreSQL
// database: each instance, this one's standing, each location's latest
// verdict of each check (the probe matrix per location) and the shared
// schedule. A single monitor (SQLite) has no fleet, and the page says so.

// fleetView is everything the fleet page shows.
type fleetView struct {
	Now       time.Time
	Single    bool // no fleet: a single monitor
	Self      store.Standing
	Instances []instanceRow
	Locations []string // the matrix's columns
	Matrix    []matrixRow
	Schedule  []store.ScheduleRow
}

// instanceRow is one line of the instances table.
type instanceRow struct {
	store.Instance
	Self          bool // the instance serving this page
	ConfigDiffers bool // it runs another config than the fleet's
}

// matrixRow is one check across the locations.
type matrixRow struct {
	Check string
	Cells []locationCell // one per column
}

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

func (h *handler) getFleet(w http.ResponseWriter, r *http.Request) {
	v := fleetView{Now: h.Now(), Single: h.Fleet == nil}
	if !v.Single {
		if err := h.loadFleet(r.Context(), &v); err != nil {
			h.degradedOrError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, h.page("Fleet", pageFleet(v)))
}

// loadFleet reads the instances, every location's latest verdicts and the
// schedule, keeping only the configured checks.
func (h *handler) loadFleet(ctx context.Context, v *fleetView) error {
	v.Self = h.Fleet()
	ins, err := h.Store.Instances(ctx)
	if err != nil {
		return fmt.Errorf("load instances: %w", err)
	}
	for _, in := range ins {
		v.Instances = append(v.Instances, instanceRow{Instance: in, Self: in.ID == v.Self.Instance,
			ConfigDiffers: v.Self.FleetSHA != "" && in.ConfigSHA != v.Self.FleetSHA})
	}
	all, err := h.Store.AllLocationResults(ctx)
	if err != nil {
		return fmt.Errorf("load location results: %w", err)
	}
	sched, err := h.Store.Schedule(ctx)
	if err != nil {
		return fmt.Errorf("load schedule: %w", err)
	}
	for _, row := range sched {
		if _, ok := h.findCheck(row.Check); ok {
			v.Schedule = append(v.Schedule, row)
		}
	}
	cfg := h.Checks()
	v.Locations = fleetLocations(v.Self, ins, cfg, all)
	for _, c := range cfg {
		v.Matrix = append(v.Matrix, matrixRow{Check: c.Name,
			Cells: locationCells(c, v.Locations, all[c.Name], staleAfter(v.Self, c, v.Now), v.Now)})
	}
	return nil
}

// fleetLocations are the matrix's columns: every location this instance,
// an instance seen within the day, a check's config or a stored result
// names, in order.
func fleetLocations(self store.Standing, ins []store.Instance, cfg []checks.Check, all map[string][]store.LocationResult) []string {
	set := map[string]bool{}
	add := func(l string) {
		if l != "" {
			set[l] = true
		}
	}
	add(self.Location)
	for _, l := range self.Locations {
		add(l)
	}
	for _, in := range ins {
		add(in.Location)
	}
	for _, c := range cfg {
		for _, l := range c.Locations {
			add(l)
		}
		for _, r := range all[c.Name] {
			add(r.Location)
		}
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
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

// shortSHA is the start of a config hash, enough to tell two apart.
func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
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

// loadCheckLocations is each location's latest verdict of c, for its page
// and the API; none for a single monitor.
func (h *handler) loadCheckLocations(ctx context.Context, c checks.Check, now time.Time) ([]locationCell, error) {
	res, err := h.Store.LocationResults(ctx, c.Name)
	if err != nil {
		return nil, fmt.Errorf("load location results of %q: %w", c.Name, err)
	}
	return checkLocations(h.standing(), c, res, now), nil
}

// checkLocations is c's cells from its stored results: its locations and
// those that have results; none without results.
func checkLocations(self store.Standing, c checks.Check, res []store.LocationResult, now time.Time) []locationCell {
	if len(res) == 0 {
		return nil
	}
	locs := slices.Clone(c.Locations)
	for _, r := range res {
		if !slices.Contains(locs, r.Location) {
			locs = append(locs, r.Location)
		}
	}
	slices.Sort(locs)
	return locationCells(c, locs, res, staleAfter(self, c, now), now)
}

// loadRunLocations says where each run of a fleet probed from; a single
// monitor's runs have no location, and nothing is read.
func (h *handler) loadRunLocations(ctx context.Context, runs []store.Run) error {
	if h.Fleet == nil || len(runs) == 0 {
		return nil
	}
	ids := make([]int64, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	locs, err := h.Store.RunLocations(ctx, ids)
	if err != nil {
		return err
	}
	for i := range runs {
		if runs[i].Location == "" {
			runs[i].Location = locs[runs[i].ID]
		}
	}
	return nil
}

// selfState is how this instance stands, in one word: degraded (the
// database is unreachable), differs (its config is not the fleet's),
// claiming, or waiting (before its first heartbeat).
func selfState(s store.Standing) string {
	switch {
	case s.Err != nil:
		return "degraded"
	case s.ConfigDiffers():
		return "differs"
	case s.Claiming:
		return "claiming"
	default:
		return "waiting"
	}
}

// overdue reports whether a schedule row's next slot is well past: no
// instance of its location claims it (none is live, or none runs the
// fleet's config).
func overdue(r store.ScheduleRow, now time.Time) bool {
	return now.Sub(r.Next) > store.LiveWindow && !(r.LeaseOwner != "" && r.LeaseUntil.After(now))
}

// lateness is an instance's "p50 / p99" of how late its slots started, or
// "—" before it ran one.
func lateness(in store.Instance) string {
	if in.SlotsRun == 0 {
		return "—"
	}
	return ms(in.LateP50) + " / " + ms(in.LateP99)
}
