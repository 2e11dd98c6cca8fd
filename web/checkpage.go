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
	"github.com/authmon/monitor/internal/redact"
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
	Stats     []store.Window  // uptime and latency for 24 h, 7 d, 30 d, 1 y (rollups)
	Query     checkQuery
	Chart     latencyChart // the selected span, wide and narrow
	Narrow    latencyChart
	Days      uptimeDays
	Runs      []store.Run
	Older     string         // link to the next page of runs; "" on the last
	Newest    string         // link back to the newest runs; "" when already there
	Silences  []silenceView  // the silences covering the check now
	Health    runHealth      // skipped runs and failed-login budgets (checkbudget.go)
	Locations []locationCell // each location's latest verdict, in a fleet (fleet.go)
	CanSnooze bool           // offer the snooze buttons
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
	q, err := parseCheckQuery(r.URL.Query())
	if err != nil {
		h.render(w, r, http.StatusBadRequest, h.page("Bad request", pageBadRequest(checkHref(c.Name), err.Error())))
		return
	}
	v, err := h.loadCheck(r.Context(), c, q)
	if errors.Is(err, store.ErrNotFound) { // a "before" run pruned since the link was made
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, h.page(c.Name, pageCheck(v)))
}

// loadCheck reads a check's state, incidents, history and the page of runs
// the query asks for.
func (h *handler) loadCheck(ctx context.Context, c checks.Check, q checkQuery) (checkView, error) {
	v := checkView{Now: h.Now(), Name: c.Name, Config: configOf(c, h.redactor()), State: statePending, Query: q,
		CanSnooze: h.OnCall != nil}
	v.Silences = h.activeSilences(c.Name, v.Now)
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
	if err := h.loadHistory(ctx, &v); err != nil {
		return v, err
	}
	if v.Health, err = h.loadRunHealth(ctx, c); err != nil {
		return v, err
	}
	if v.Locations, err = h.loadCheckLocations(ctx, c, v.Now); err != nil {
		return v, err
	}
	return v, h.loadRuns(ctx, &v)
}

// loadHistory draws the latency chart of the selected span and the uptime
// bars of the last 30 days, both from the rollups.
func (h *handler) loadHistory(ctx context.Context, v *checkView) error {
	sp := v.Query.Span
	series, err := h.Store.Series(ctx, v.Name, sp.Step, v.Now.Add(-sp.Length+sp.Step), v.Now)
	if err != nil {
		return fmt.Errorf("load latency of %q: %w", v.Name, err)
	}
	v.Chart, v.Narrow = newLatencyChart(series, sp, chartWide), newLatencyChart(series, sp, chartNarrow)
	days, err := h.Store.Series(ctx, v.Name, 24*time.Hour, v.Now.Add(-(uptimeDayCount-1)*24*time.Hour), v.Now)
	if err != nil {
		return fmt.Errorf("load uptime of %q: %w", v.Name, err)
	}
	v.Days = newUptimeDays(days)
	return nil
}

// loadRuns reads the page of runs the query selects, as summaries, the
// full evidence of the newest run when it failed, and the links around it.
func (h *handler) loadRuns(ctx context.Context, v *checkView) error {
	q := v.Query
	page, err := h.Store.RunSummaries(ctx, v.Name, store.RunQuery{Before: q.Before, From: q.From, To: q.To, Limit: runsPerPage})
	if err != nil {
		return fmt.Errorf("load runs of %q: %w", v.Name, err)
	}
	v.Runs = page.Runs
	if err := h.loadRunLocations(ctx, v.Runs); err != nil {
		return fmt.Errorf("load runs of %q: %w", v.Name, err)
	}
	if len(v.Runs) > 0 && inlineEvidence(v.Runs[0], q.Before == 0) { // its evidence is shown in full
		full, err := h.Store.Run(ctx, v.Name, v.Runs[0].ID)
		if err != nil {
			return fmt.Errorf("load run %d of %q: %w", v.Runs[0].ID, v.Name, err)
		}
		v.Runs[0] = full
	}
	if page.More {
		older := q
		older.Before = page.Runs[len(page.Runs)-1].ID
		v.Older = older.href(v.Name)
	}
	if q.Before != 0 {
		newest := q
		newest.Before = 0
		v.Newest = newest.href(v.Name)
	}
	return nil
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
// decides it holds no secret. The config page shows everything, masked.
func configOf(c checks.Check, red *redact.Redactor) []configItem {
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
	items := []configItem{
		{"Method", c.Method},
		{"URL", red.URL(c.URL)},
		{"Schedule", c.Schedule},
		{"Timeout", timeout},
		{"Auth", auth},
		{"Probes", strings.Join(kinds, ", ")},
	}
	return append(items, connItems(c.Conn, red)...)
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
func uptime(w store.Window) string { return string(appendUptime(nil, w)) }
