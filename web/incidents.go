package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/store"
)

// incidentRow is one line of an incidents table.
type incidentRow struct {
	Inc    alert.Incident
	Latest *store.Notification // the incident's latest notification; nil if none was queued
}

// incidentGroup is a titled part of an incidents table: the open ones, or
// the resolved ones.
type incidentGroup struct {
	State string // "open" or "resolved"
	Rows  []incidentRow
}

// groupIncidents splits rows into the open group and the resolved one,
// leaving out an empty group.
func groupIncidents(rows []incidentRow) []incidentGroup {
	open, resolved := incidentGroup{State: "open"}, incidentGroup{State: "resolved"}
	for _, r := range rows {
		if r.Inc.Open() {
			open.Rows = append(open.Rows, r)
		} else {
			resolved.Rows = append(resolved.Rows, r)
		}
	}
	var groups []incidentGroup
	for _, g := range []incidentGroup{open, resolved} {
		if len(g.Rows) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// incidentsView is the incidents page: open incidents, then the history.
type incidentsView struct {
	Now    time.Time
	Groups []incidentGroup
	Full   bool // the page limit was reached: older incidents are not shown
}

// incidentView is everything an incident's page shows.
type incidentView struct {
	Now time.Time
	Rec store.IncidentRecord
	// StatusLink opens the status page's update form; "" without one.
	StatusLink string
	// CanAck offers the Acknowledge button (an open, unacknowledged
	// incident, and a monitor that records acknowledgements).
	CanAck bool
}

func (h *handler) getIncidents(w http.ResponseWriter, r *http.Request) {
	recs, err := h.Store.Incidents(r.Context(), incidentsPerPage)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("load incidents: %w", err))
		return
	}
	v := incidentsView{Now: h.Now(), Groups: groupIncidents(h.incidentRows(recs)), Full: len(recs) == incidentsPerPage}
	h.render(w, r, http.StatusOK, h.page("Incidents", pageIncidents(v)))
}

func (h *handler) getIncident(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		h.notFound(w, r)
		return
	}
	rec, err := h.Store.Incident(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.notFound(w, r)
		return
	case err != nil:
		h.serverError(w, r, fmt.Errorf("load incident %d: %w", id, err))
		return
	}
	if _, known := h.findCheck(rec.Check); !known {
		h.notFound(w, r) // as for the check's own page
		return
	}
	title := "Incident #" + strconv.FormatInt(rec.ID, 10)
	h.render(w, r, http.StatusOK, h.page(title, pageIncident(incidentView{Now: h.Now(), Rec: rec, StatusLink: h.statusNoteLink(rec.Check),
		CanAck: h.OnCall != nil && rec.Open() && rec.AckedBy == ""})))
}

// parseID reads an incident id: digits only, no sign, above zero.
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseUint(s, 10, 63)
	return int64(id), err == nil && id > 0
}

// incidentRows keeps the incidents of configured checks: the dashboard
// shows nothing about the others.
func (h *handler) incidentRows(recs []store.IncidentRecord) []incidentRow {
	rows := make([]incidentRow, 0, len(recs))
	for _, rec := range recs {
		if _, known := h.findCheck(rec.Check); known {
			rows = append(rows, incidentRow{Inc: rec.Incident, Latest: rec.Latest})
		}
	}
	return rows
}
