package web

import (
	"fmt"
	"net/http"
	"time"
)

// A fleet in the API: each check's latest verdict per location (in
// /api/v1/checks and /api/v1/checks/{name}), where each run probed from,
// and /api/v1/fleet: the instances, this one's standing and the schedule.

// apiLocation is one location's latest verdict of a check.
type apiLocation struct {
	Location string `json:"location"`
	// Status is passing, failing, stale (no result within the stale
	// window, or none: it does not vote), or unlisted (a result from a
	// location the check no longer runs from).
	Status   string       `json:"status"`
	Started  time.Time    `json:"started,omitzero"` // the latest run; absent without one
	RunID    int64        `json:"run_id,omitempty"`
	Instance string       `json:"instance,omitempty"` // which instance ran it
	Failing  []apiFailure `json:"failing"`
}

// apiLocations words a check's location cells.
func apiLocations(cells []locationCell) []apiLocation {
	out := make([]apiLocation, 0, len(cells))
	for _, c := range cells {
		l := apiLocation{Location: c.Location, Status: string(c.Mark), Failing: []apiFailure{}}
		if c.Mark == locNone {
			l.Status = "unlisted"
		}
		if r := c.Result; r != nil {
			l.Started, l.RunID, l.Instance = r.Started.Truncate(time.Millisecond), r.RunID, r.Instance
			for _, p := range r.Verdict {
				for _, a := range p.Assertions {
					if !a.Pass {
						l.Failing = append(l.Failing, apiFailure{Probe: string(p.Kind), Assertion: a.ID, Ref: a.Ref,
							Severity: a.Severity.String(), Reason: a.Reason})
					}
				}
			}
		}
		out = append(out, l)
	}
	return out
}

// apiFleet is the fleet: this instance, every instance seen within the
// last day and the shared schedule of the configured checks.
type apiFleet struct {
	// Fleet is false for a single monitor (SQLite): no instances, no
	// schedule, self null.
	Fleet     bool          `json:"fleet"`
	ConfigSHA string        `json:"config_sha,omitempty"` // the fleet's: that of most live instances
	Self      *apiSelf      `json:"self"`
	Instances []apiInstance `json:"instances"`
	Schedule  []apiSlot     `json:"schedule"`
}

// apiSelf is how the instance answering stands.
type apiSelf struct {
	Instance string `json:"instance"`
	Location string `json:"location"`
	// DatabaseReachable is false while its heartbeat fails: it then
	// monitors nothing (degraded).
	DatabaseReachable bool      `json:"database_reachable"`
	ConfigSHA         string    `json:"config_sha"`
	ConfigDiffers     bool      `json:"config_differs"` // it runs another config than the fleet's: claims nothing
	Claiming          bool      `json:"claiming"`
	Heartbeat         time.Time `json:"heartbeat,omitzero"`
}

type apiInstance struct {
	ID            string    `json:"id"`
	Location      string    `json:"location"`
	Version       string    `json:"version"`
	ConfigSHA     string    `json:"config_sha"`
	ConfigDiffers bool      `json:"config_differs"`
	Live          bool      `json:"live"` // seen within the last 15 s
	Started       time.Time `json:"started"`
	Seen          time.Time `json:"seen"`
	SlotsRun      int64     `json:"slots_run"`
	SlotsSkipped  int64     `json:"slots_skipped"`
	LateP50MS     float64   `json:"late_p50_ms"`
	LateP99MS     float64   `json:"late_p99_ms"`
	Claiming      bool      `json:"claiming"`
	Note          string    `json:"note,omitempty"` // why it does not claim
}

type apiSlot struct {
	Check      string    `json:"check"`
	Location   string    `json:"location"`
	NextSlot   time.Time `json:"next_slot"`
	LeaseOwner string    `json:"lease_owner,omitempty"` // the instance running the current slot
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	Skipped    int64     `json:"skipped"`
}

func (h *handler) apiFleet(w http.ResponseWriter, r *http.Request) {
	out := apiFleet{Instances: []apiInstance{}, Schedule: []apiSlot{}}
	if h.Fleet == nil {
		writeJSON(w, r, http.StatusOK, out)
		return
	}
	v := fleetView{Now: h.Now()}
	if err := h.loadFleet(r.Context(), &v); err != nil {
		h.apiServerError(w, r, fmt.Errorf("load fleet: %w", err))
		return
	}
	s := v.Self
	out.Fleet, out.ConfigSHA = true, s.FleetSHA
	out.Self = &apiSelf{Instance: s.Instance, Location: s.Location, DatabaseReachable: s.Err == nil, ConfigSHA: s.ConfigSHA,
		ConfigDiffers: s.ConfigDiffers(), Claiming: s.Claiming, Heartbeat: s.At}
	for _, in := range v.Instances {
		out.Instances = append(out.Instances, apiInstance{ID: in.ID, Location: in.Location, Version: in.Version,
			ConfigSHA: in.ConfigSHA, ConfigDiffers: in.ConfigDiffers, Live: in.Live, Started: in.Started, Seen: in.Seen,
			SlotsRun: in.SlotsRun, SlotsSkipped: in.SlotsSkipped, LateP50MS: millis(in.LateP50), LateP99MS: millis(in.LateP99),
			Claiming: in.Claiming, Note: in.Note})
	}
	for _, row := range v.Schedule {
		sl := apiSlot{Check: row.Check, Location: row.Location, NextSlot: row.Next, Skipped: row.Skipped}
		if row.LeaseOwner != "" && row.LeaseUntil.After(v.Now) {
			sl.LeaseOwner, sl.LeaseUntil = row.LeaseOwner, row.LeaseUntil
		}
		out.Schedule = append(out.Schedule, sl)
	}
	writeJSON(w, r, http.StatusOK, out)
}
