package web

import (
	"net/http"
)

// fleetBanner is the overview's warning about this instance of a fleet:
// the database is unreachable (it monitors nothing), or its config is not
// the fleet's (it claims no check); "" when it monitors as it should, and
// for a single monitor.
func (h *handler) fleetBanner() string {
	if h.Fleet == nil {
		return ""
	}
	s := h.Fleet()
	switch {
	case s.Err != nil:
		line := "Monitoring degraded: the database is unreachable, so this instance (" + s.Instance +
			", " + s.Location + ") runs no check and records nothing until it answers"
		if !s.At.IsZero() {
			line += " (last tried " + fmtTime(s.At) + ")"
		}
		return line + "; what the dashboard shows may be out of date."
	case s.ConfigDiffers():
		return "This instance (" + s.Instance + ") runs config " + shortSHA(s.ConfigSHA) + ", not the fleet's (" +
			shortSHA(s.FleetSHA) + "): it claims no check until it loads the fleet's config."
	}
	return ""
}

// degradedOrError answers a page whose reads failed: while this instance
// of a fleet cannot reach the database, a page that says so (503), so that
// the dashboard tells why it shows nothing; otherwise a 500.
func (h *handler) degradedOrError(w http.ResponseWriter, r *http.Request, err error) {
	if h.Fleet == nil || h.Fleet().Err == nil {
		h.serverError(w, r, err)
		return
	}
	h.Log.WarnContext(r.Context(), "dashboard: the database is unreachable", "path", r.URL.Path, "err", err)
	h.render(w, r, http.StatusServiceUnavailable, h.page("Monitoring degraded", pageDegraded(h.fleetBanner())))
}
