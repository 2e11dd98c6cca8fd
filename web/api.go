package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// The JSON API under /api/v1/ reads what the dashboard shows. Field names
// are snake_case and stable; times are RFC 3339 in UTC; durations are
// milliseconds. Errors are {"error": "..."} with the matching status.

// API page sizes.
const (
	apiDefaultLimit = 50
	apiMaxLimit     = 500
)

type apiError struct {
	Error string `json:"error"`
}

// apiRoutes adds the API to mux; everything else under /api/ is a JSON 404.
func (h *handler) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/checks", h.apiChecks)
	mux.HandleFunc("GET /api/v1/checks/{name}", h.apiCheck)
	mux.HandleFunc("GET /api/v1/checks/{name}/runs", h.apiRuns)
	mux.HandleFunc("GET /api/v1/incidents", h.apiIncidents)
	mux.HandleFunc("GET /api/v1/incidents/{id}", h.apiIncident)
	mux.HandleFunc("GET /api/v1/fleet", h.apiFleet)
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, http.StatusNotFound, apiError{"no such API route: see /api/v1/checks, /api/v1/incidents and /api/v1/fleet"})
	})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		mux.HandleFunc(m+" /api/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, r, http.StatusMethodNotAllowed, apiError{"the API is read-only: use GET"})
		})
	}
}

func (h *handler) apiChecks(w http.ResponseWriter, r *http.Request) {
	sums, err := h.Store.Overview(r.Context())
	if err != nil {
		h.apiServerError(w, r, fmt.Errorf("load overview: %w", err))
		return
	}
	byName := make(map[string]store.CheckSummary, len(sums))
	for _, s := range sums {
		byName[s.Name] = s
	}
	locs, err := h.Store.AllLocationResults(r.Context())
	if err != nil {
		h.apiServerError(w, r, fmt.Errorf("load location results: %w", err))
		return
	}
	cfg, red, self, now := h.Checks(), h.redactor(), h.standing(), h.Now()
	out := make([]apiCheck, 0, len(cfg))
	for _, c := range cfg {
		sum, ok := byName[c.Name]
		ac := newAPICheck(c, sum, ok, red)
		ac.Locations = apiLocations(checkLocations(self, c, locs[c.Name], now))
		out = append(out, ac)
	}
	writeJSON(w, r, http.StatusOK, struct {
		Checks []apiCheck `json:"checks"`
	}{out})
}

func (h *handler) apiCheck(w http.ResponseWriter, r *http.Request) {
	c, ok := h.findCheck(r.PathValue("name"))
	if !ok {
		writeJSON(w, r, http.StatusNotFound, apiError{"no configured check has this name"})
		return
	}
	sum, err := h.Store.Summary(r.Context(), c.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.apiServerError(w, r, fmt.Errorf("load state of %q: %w", c.Name, err))
		return
	}
	ran := err == nil // ErrNotFound: no run yet
	stats, err := h.Store.Stats(r.Context(), c.Name, store.StatWindows)
	if err != nil {
		h.apiServerError(w, r, fmt.Errorf("load stats of %q: %w", c.Name, err))
		return
	}
	cells, err := h.loadCheckLocations(r.Context(), c, h.Now())
	if err != nil {
		h.apiServerError(w, r, err)
		return
	}
	d := apiCheckDetail{apiCheck: newAPICheck(c, sum, ran, h.redactor()), Uptime: make([]apiWindow, 0, len(stats))}
	d.Locations = apiLocations(cells)
	for _, p := range c.Probes {
		d.Probes = append(d.Probes, string(p.Kind))
	}
	for _, s := range stats {
		d.Uptime = append(d.Uptime, newAPIWindow(s))
	}
	writeJSON(w, r, http.StatusOK, d)
}

func (h *handler) apiRuns(w http.ResponseWriter, r *http.Request) {
	c, ok := h.findCheck(r.PathValue("name"))
	if !ok {
		writeJSON(w, r, http.StatusNotFound, apiError{"no configured check has this name"})
		return
	}
	q, err := runQuery(r.URL.Query())
	if err != nil {
		writeJSON(w, r, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	page, err := h.Store.RunsPage(r.Context(), c.Name, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, r, http.StatusNotFound, apiError{"before: no run of this check has that id"})
		return
	case err != nil:
		h.apiServerError(w, r, fmt.Errorf("load runs of %q: %w", c.Name, err))
		return
	}
	out := apiRuns{Runs: make([]apiRun, 0, len(page.Runs))}
	for _, run := range page.Runs {
		out.Runs = append(out.Runs, newAPIRun(run, h.redactor()))
	}
	if page.More && len(page.Runs) > 0 {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(page.Runs[len(page.Runs)-1].ID, 10))
		next.Set("limit", strconv.Itoa(q.Limit))
		out.Next = "/api/v1/checks/" + url.PathEscape(c.Name) + "/runs?" + next.Encode()
	}
	writeJSON(w, r, http.StatusOK, out)
}

// runQuery reads limit, before (a run id) and from/to (RFC 3339).
func runQuery(v url.Values) (store.RunQuery, error) {
	q := store.RunQuery{}
	var err error
	if q.Limit, err = limitParam(v); err != nil {
		return q, err
	}
	if s := v.Get("before"); s != "" {
		id, ok := parseID(s)
		if !ok {
			return q, errors.New("before: want a run id (a positive integer)")
		}
		q.Before = id
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return q, fmt.Errorf("%s: want an RFC 3339 time such as 2026-03-01T12:00:00Z", p.name)
			}
			*p.dst = t.UTC()
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, errors.New("from must be before to")
	}
	return q, nil
}

// limitParam reads ?limit=, 1..apiMaxLimit, apiDefaultLimit when absent.
func limitParam(v url.Values) (int, error) {
	s := v.Get("limit")
	if s == "" {
		return apiDefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > apiMaxLimit {
		return 0, fmt.Errorf("limit: want an integer from 1 to %d", apiMaxLimit)
	}
	return n, nil
}

func (h *handler) apiIncidents(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r.URL.Query())
	if err != nil {
		writeJSON(w, r, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	state := r.URL.Query().Get("state")
	if state != "" && state != "open" && state != "all" {
		writeJSON(w, r, http.StatusBadRequest, apiError{"state: want open or all"})
		return
	}
	recs, err := h.Store.Incidents(r.Context(), limit)
	if err != nil {
		h.apiServerError(w, r, fmt.Errorf("load incidents: %w", err))
		return
	}
	out := make([]apiIncident, 0, len(recs))
	for _, rec := range recs {
		if _, known := h.findCheck(rec.Check); !known || (state == "open" && !rec.Open()) {
			continue
		}
		out = append(out, newAPIIncident(rec, h.Now(), false))
	}
	writeJSON(w, r, http.StatusOK, struct {
		Incidents []apiIncident `json:"incidents"`
	}{out})
}

func (h *handler) apiIncident(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		writeJSON(w, r, http.StatusNotFound, apiError{"no incident has this id"})
		return
	}
	rec, err := h.Store.Incident(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, r, http.StatusNotFound, apiError{"no incident has this id"})
		return
	case err != nil:
		h.apiServerError(w, r, fmt.Errorf("load incident %d: %w", id, err))
		return
	}
	if _, known := h.findCheck(rec.Check); !known {
		writeJSON(w, r, http.StatusNotFound, apiError{"no incident has this id"})
		return
	}
	writeJSON(w, r, http.StatusOK, newAPIIncident(rec, h.Now(), true))
}

// writeJSON encodes v first, so that a failure is a clean 500. HTML
// characters are escaped (\u003c), so a target's markup stays inert even in
// a browser that sniffs.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status, buf = http.StatusInternalServerError, *bytes.NewBufferString(`{"error":"internal server error"}` + "\n")
	}
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, r, status, "application/json", &buf)
}

// apiServerError logs err (it may name files or SQL) and answers a bare 500.
func (h *handler) apiServerError(w http.ResponseWriter, r *http.Request, err error) {
	h.Log.ErrorContext(r.Context(), "API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeJSON(w, r, http.StatusInternalServerError, apiError{"internal server error"})
}

// checkKind names a check's kind; empty is the protected kind.
func checkKind(c checks.Check) string {
	if c.Kind == "" {
		return string(checks.KindProtected)
	}
	return string(c.Kind)
}
