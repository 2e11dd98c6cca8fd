package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// checkView is everything a check's page shows.
type checkView struct {
	Now       time.Time
	Name      string
	Config    []configItem
	State     state
	Since     time.Time // zero when pending
	Flapping  bool
	Incident  *alert.Incident // the open incident, if any
	Incidents []incidentGroup // open first, then the latest resolved
	Runs      []store.Run
	Stats     []store.Window // uptime and latency for 24 h, 7 d, 30 d, 1 y (rollups)
}

// configItem is one line of a check's configuration.
type configItem struct {
	Label, Value string
}

func (h *handler) getCheck(w http.ResponseWriter, r *http.Request) {
	c, ok := h.findCheck(r.PathValue("name"))
	if !ok {
		h.notFound(w, r)
		return
	}
	v, err := h.loadCheck(r.Context(), c)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, h.page(c.Name, pageCheck(v)))
}

// loadCheck reads a check's state, incidents and latest runs.
func (h *handler) loadCheck(ctx context.Context, c checks.Check) (checkView, error) {
	v := checkView{Now: h.Now(), Name: c.Name, Config: configOf(c), State: statePending}
	s, err := h.Store.Summary(ctx, c.Name)
	switch {
	case err == nil:
		v.State, v.Since = stateOf(s.State, s.Last), s.State.Since
		v.Flapping, v.Incident = s.State.Flapping, openIncident(s.State)
	case !errors.Is(err, store.ErrNotFound):
		return v, fmt.Errorf("load state of %q: %w", c.Name, err)
	}
	recs, err := h.Store.CheckIncidents(ctx, c.Name, checkIncidentsPerPage)
	if err != nil {
		return v, fmt.Errorf("load incidents of %q: %w", c.Name, err)
	}
	v.Incidents = groupIncidents(h.incidentRows(recs))
	if v.Stats, err = h.Store.Stats(ctx, c.Name, store.StatWindows); err != nil {
		return v, fmt.Errorf("load stats of %q: %w", c.Name, err)
	}
	if v.Runs, err = h.Store.Runs(ctx, c.Name, runsPerPage); err != nil {
		return v, fmt.Errorf("load runs of %q: %w", c.Name, err)
	}
	return v, nil
}

// findCheck looks a check up among the configured ones: the dashboard shows
// nothing about checks it was not told about.
func (h *handler) findCheck(name string) (checks.Check, bool) {
	for _, c := range h.Checks() {
		if c.Name == name {
			return c, true
		}
	}
	return checks.Check{}, false
}

// configOf lists the parts of a check that are safe to show. It picks fields
// one by one, so a field added to Check later is not shown until someone
// decides it holds no secret.
func configOf(c checks.Check) []configItem {
	timeout, auth := "default", string(c.Auth.Kind)
	if c.Timeout > 0 {
		timeout = c.Timeout.String()
	}
	if auth == "" {
		auth = "none"
	}
	kinds := make([]string, 0, len(c.Probes))
	for _, p := range c.Probes {
		kinds = append(kinds, string(p.Kind))
	}
	return []configItem{
		{"Method", c.Method},
		{"URL", redactURL(c.URL, c.Secrets)},
		{"Schedule", c.Schedule},
		{"Timeout", timeout},
		{"Auth", auth},
		{"Probes", strings.Join(kinds, ", ")},
	}
}

// windowName is "24 h", "7 d", "30 d", "1 y".
func windowName(d time.Duration) string {
	switch {
	case d >= 365*24*time.Hour:
		return "1 y"
	case d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d"
	default:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
}

// uptime is "99.93 %", or "—" without runs.
func uptime(w store.Window) string {
	if w.Runs == 0 {
		return "—"
	}
	return strconv.FormatFloat(w.Uptime(), 'f', 2, 64) + " %"
}
