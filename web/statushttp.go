package web

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"time"
)

// statusRoutes serves the public status page and its admin page when
// [status_page] is configured; otherwise /status is a 404 like any path.
func (h *handler) statusRoutes(mux *http.ServeMux) {
	if h.StatusPage == nil {
		return
	}
	mux.HandleFunc("GET /status", h.getStatus)
	mux.HandleFunc("GET /status.json", h.getStatusJSON)
	mux.HandleFunc("GET /status-admin", h.getStatusAdmin)
	mux.HandleFunc("POST /status-admin/notes", h.postStatusNote)
}

func (h *handler) getStatus(w http.ResponseWriter, r *http.Request) {
	html, _, err := h.statusBodies(r.Context())
	if err != nil {
		statusUnavailable(w)
		return
	}
	h.serveStatusBody(w, r, html, "text/html; charset=utf-8")
}

func (h *handler) getStatusJSON(w http.ResponseWriter, r *http.Request) {
	_, js, err := h.statusBodies(r.Context())
	if err != nil {
		statusUnavailable(w)
		return
	}
	h.serveStatusBody(w, r, js, "application/json")
}

// statusUnavailable says nothing about why: the reason is in the log.
func statusUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "30")
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "the status page is unavailable for a moment: try again shortly", http.StatusServiceUnavailable)
}

// renderStatus reads the store once and renders both representations,
// each passed through the redactor as a last guard.
func (h *handler) renderStatus(ctx context.Context, now time.Time) (html, js statusBody, err error) {
	snap, err := h.StatusPage.snapshot(ctx, h.Store, now)
	if err != nil {
		return html, js, err
	}
	red := h.redactor()
	var buf bytes.Buffer
	if err := pageStatus(snap).Render(ctx, &buf); err != nil {
		return html, js, err
	}
	html = newStatusBody([]byte(red.String(buf.String())))
	raw, err := json.MarshalIndent(statusJSONOf(snap), "", "  ")
	if err != nil {
		return html, js, err
	}
	js = newStatusBody([]byte(red.String(string(raw)) + "\n"))
	return html, js, nil
}

// statusJSON is /status.json: the page's content, for other tools.
type statusJSON struct {
	Title      string                `json:"title"`
	Updated    time.Time             `json:"updated"`
	State      string                `json:"state"`
	Components []statusComponentJSON `json:"components"`
	Notes      []statusNoteJSON      `json:"notes"`
}

type statusComponentJSON struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	State       string `json:"state"`
	// Uptime is the percentage of passing runs over the days listed; null
	// without runs.
	Uptime *float64        `json:"uptime"`
	Days   []statusDayJSON `json:"days"`
}

type statusDayJSON struct {
	Date   string   `json:"date"` // YYYY-MM-DD, UTC
	State  string   `json:"state"`
	Uptime *float64 `json:"uptime"`
}

type statusNoteJSON struct {
	At        time.Time `json:"at"`
	Component string    `json:"component,omitempty"`
	Phase     string    `json:"phase"`
	Text      string    `json:"text"`
}

func statusJSONOf(s statusSnapshot) statusJSON {
	out := statusJSON{Title: s.Title, Updated: s.Updated, State: s.State,
		Components: []statusComponentJSON{}, Notes: []statusNoteJSON{}}
	for _, c := range s.Components {
		cj := statusComponentJSON{Name: c.Name, Description: c.Description, State: c.State}
		if c.HasRuns {
			cj.Uptime = roundedPercent(c.Uptime)
		}
		for _, d := range c.Days {
			dj := statusDayJSON{Date: d.Date.Format(time.DateOnly), State: d.level()}
			if d.Runs > 0 {
				dj.Uptime = roundedPercent(d.uptime())
			}
			cj.Days = append(cj.Days, dj)
		}
		out.Components = append(out.Components, cj)
	}
	for _, n := range s.Notes {
		out.Notes = append(out.Notes, statusNoteJSON{At: n.Created, Component: n.Component, Phase: n.Phase, Text: n.Body})
	}
	return out
}

// roundedPercent rounds to three decimals, as the page shows at most that.
func roundedPercent(v float64) *float64 {
	r := math.Round(v*1000) / 1000
	return &r
}
