package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

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

// standing is this instance's standing in its fleet; the zero value for a
// single monitor.
func (h *handler) standing() store.Standing {
	if h.Fleet == nil {
		return store.Standing{}
	}
	return h.Fleet()
}

// shortSHA is the start of a config hash, enough to tell two apart.
func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
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
