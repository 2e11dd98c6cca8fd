package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/internal/store"
)

// Store is the part of the store the dashboard reads. *store.Store implements it.
type Store interface {
	// Overview returns every check that has state or runs.
	Overview(ctx context.Context) ([]store.CheckSummary, error)
	// Recent returns every check's uptime windows and hourly buckets up to now.
	Recent(ctx context.Context, now time.Time) ([]store.CheckRecent, error)
	// Stats summarises a check's history per window, from the rollups.
	Stats(ctx context.Context, check string, spans []time.Duration) ([]store.Window, error)
	// Summary returns one check's line of the overview (store.ErrNotFound before its first run).
	Summary(ctx context.Context, check string) (store.CheckSummary, error)
	// Runs returns the latest runs of a check, newest first.
	Runs(ctx context.Context, check string, limit int) ([]store.Run, error)
	// RunsPage returns one page of a check's runs, newest first (keyset by run id, time range).
	RunsPage(ctx context.Context, check string, q store.RunQuery) (store.RunPage, error)
	// RunSummaries is RunsPage with each probe cut to its status and failed
	// assertions, for the check page's list of runs.
	RunSummaries(ctx context.Context, check string, q store.RunQuery) (store.RunPage, error)
	// Run returns one run of a check with its evidence, or an error wrapping
	// store.ErrNotFound.
	Run(ctx context.Context, check string, id int64) (store.Run, error)
	// Series returns a check's hourly or daily buckets from the rollups, oldest first.
	Series(ctx context.Context, check string, step time.Duration, from, to time.Time) ([]store.Bucket, error)
	// LatestRunID changes whenever a run is recorded: the live refresh waits for it.
	LatestRunID(ctx context.Context) (int64, error)
	// Notifications returns the latest outbox rows, newest first.
	Notifications(ctx context.Context, limit int) ([]store.Notification, error)
	// Incidents returns the open incidents, then the latest resolved ones.
	Incidents(ctx context.Context, limit int) ([]store.IncidentRecord, error)
	// CheckIncidents is Incidents for one check.
	CheckIncidents(ctx context.Context, check string, limit int) ([]store.IncidentRecord, error)
	// Incident returns one incident with its notifications, oldest first, or
	// an error wrapping store.ErrNotFound.
	Incident(ctx context.Context, id int64) (store.IncidentRecord, error)
	// DeliveryStatus says how many notifications wait and since when their
	// delivery has been failing.
	DeliveryStatus(ctx context.Context) (store.DeliveryStatus, error)
	// Instances lists the fleet's instances seen within the last day, live first.
	Instances(ctx context.Context) ([]store.Instance, error)
	// Schedule lists the fleet's schedule rows by check and location.
	Schedule(ctx context.Context) ([]store.ScheduleRow, error)
	// LocationResults returns each location's latest verdict of a check.
	LocationResults(ctx context.Context, check string) ([]store.LocationResult, error)
	// AllLocationResults is LocationResults of every check, by check.
	AllLocationResults(ctx context.Context) (map[string][]store.LocationResult, error)
	// RunLocations returns where each of the runs probed from (runs of a
	// fleet only): RunSummaries leaves it out.
	RunLocations(ctx context.Context, ids []int64) (map[int64]string, error)
}

// Demo switches the built-in sample auth API between its behaviours.
type Demo interface {
	Mode() string
	Modes() []string
	SetMode(mode string) error
}

// Deps is what the dashboard needs. Demo is nil when the sample API is off;
// Log and Now default to a discarding logger and time.Now.
type Deps struct {
	Store Store
	// Checks returns the checks configured now: a config reload changes them.
	Checks func() []checks.Check
	// Reload reports the latest config load: when, and why the file was
	// refused (the monitor then still runs the previous config). May be nil.
	Reload  func() (at time.Time, err error)
	Demo    Demo
	Log     *slog.Logger
	Version string
	Now     func() time.Time
	// Auth says who may open the dashboard; the zero value lets everyone in.
	Auth AuthConfig
	// Metrics serves /metrics when set (behind Auth, like the API).
	Metrics http.Handler
	// Ready says why the monitor cannot do its job now, for /readyz; nil
	// (or a nil func) means ready. The error text is shown to anyone.
	Ready func(ctx context.Context) error
	// Policies returns each check's alert policy now (a reload changes
	// them), for the active silences; nil shows none.
	Policies func() map[string]alert.Policy
	// Budgets reads the failed-login budget of each account a check's
	// negative probes spend from; nil shows none (checkbudget.go).
	Budgets func(ctx context.Context, ch checks.Check) ([]checks.BudgetState, error)
	// Skipped reports a check's scheduled runs that did not happen; nil
	// shows none.
	Skipped func(check string) SkippedRuns
	// Redact removes every secret of the process from what the dashboard
	// shows; nil means one built from the checks' secrets on each use.
	Redact *redact.Redactor
	// StatusPage is the public status page; nil serves none (404).
	StatusPage *StatusPage
	// Fleet says how this instance stands in its fleet (several monitors
	// on one PostgreSQL database); nil for a single monitor.
	Fleet func() store.Standing
	// OnCall acknowledges incidents and snoozes checks; nil offers neither.
	OnCall OnCall
	// SlackSigningSecret verifies Slack's interactivity requests to
	// /slack/actions; "" serves no such endpoint.
	SlackSigningSecret string
}

// Page sizes: enough history to see a pattern, small enough to stay fast.
const (
	runsPerPage           = 50
	alertsPerPage         = 10
	incidentsPerPage      = 100
	checkIncidentsPerPage = 20
)

// csp forbids inline scripts and styles, so nothing a target sends can run;
// images may be data: URIs (inline SVG sparklines); nothing may frame the
// dashboard, change its base URL or post forms elsewhere.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

type handler struct {
	Deps
}

// New returns the dashboard's HTTP handler.
func New(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Checks == nil {
		d.Checks = func() []checks.Check { return nil }
	}
	d.Auth.PublicStatus = d.StatusPage != nil
	h := &handler{Deps: d}
	// Order: headers on every answer (a 401 too), then who is asking, then
	// whether a post comes from our own form.
	dash := newAuthenticator(d.Auth).middleware(newCSRFGuard().protect(h.routes()))
	if d.SlackSigningSecret == "" || d.OnCall == nil {
		return securityHeaders(dash)
	}
	// Slack signs its requests instead of signing in: they skip the
	// dashboard's sign-in and form token, and nothing else does.
	outer := http.NewServeMux()
	outer.Handle("POST /slack/actions", newSlackActions(d.SlackSigningSecret, d.OnCall, d.Log, d.Now))
	outer.Handle("/", dash)
	return securityHeaders(outer)
}

// redactor is the redactor every page and API answer goes through.
func (h *handler) redactor() *redact.Redactor {
	if h.Redact != nil {
		return h.Redact
	}
	var secrets []string
	for _, c := range h.Checks() {
		secrets = append(secrets, c.Secrets...)
	}
	return redact.New(secrets...)
}

// routes lists every route of the dashboard in one place.
func (h *handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.getOverview)
	mux.HandleFunc("GET /checks/{name}", h.getCheck)
	mux.HandleFunc("GET /checks/{name}/runs/{id}/evidence", h.getEvidence)
	mux.HandleFunc("GET /incidents", h.getIncidents)
	mux.HandleFunc("GET /incidents/{id}", h.getIncident)
	mux.HandleFunc("GET /config", h.getConfig)
	mux.HandleFunc("GET /fleet", h.getFleet)
	mux.HandleFunc("GET /events", h.getEvents)
	mux.Handle("GET /static/", noDirListing(http.FileServerFS(staticFS)))
	mux.HandleFunc("GET /healthz", getHealthz)
	mux.HandleFunc("GET /readyz", h.getReadyz)
	mux.HandleFunc("GET /badges/{name}/status.svg", h.getStatusBadge)
	mux.HandleFunc("GET /badges/{name}/uptime.svg", h.getUptimeBadge)
	h.apiRoutes(mux)
	h.statusRoutes(mux)
	if h.Metrics != nil {
		mux.Handle("GET /metrics", h.Metrics)
	}
	if h.Demo != nil {
		mux.HandleFunc("POST /demo/mode", h.postDemoMode)
	}
	if h.OnCall != nil {
		mux.HandleFunc("POST /incidents/{id}/ack", h.postAck)
		mux.HandleFunc("POST /checks/{name}/snooze", h.postSnooze)
	}
	mux.HandleFunc("GET /", h.notFound)
	return mux
}

// securityHeaders sets the headers every response carries, errors included.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
		next.ServeHTTP(w, r)
	})
}

// noDirListing answers 404 for directories, which the file server would list.
func noDirListing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// getHealthz says the process is alive and serving; nothing more.
func getHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}

// getReadyz says whether the monitor can do its job: 503 with the reason
// when it cannot (the database is not writable, the scheduler is stopped).
func (h *handler) getReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.Ready != nil {
		if err := h.Ready(r.Context()); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ready"))
}

// render writes a page with the given status. It renders to a buffer first so
// that a failure half-way becomes a clean 500 rather than half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		h.serverError(w, r, err)
		return
	}
	writeBody(w, r, status, "text/html; charset=utf-8", &buf)
}

// serverError is the one place that logs an unexpected error and answers 500.
// The error text stays in the log: it may name files or SQL.
func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.Log.ErrorContext(r.Context(), "dashboard request failed",
		"method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "internal server error", http.StatusInternalServerError)
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusNotFound, h.page("Not found", pageNotFound(r.URL.Path)))
}

// page wraps a page's content in the layout.
func (h *handler) page(title string, content templ.Component) templ.Component {
	footer, _ := h.configStatus()
	return layout(layoutView{Title: title, Version: h.Version, Config: footer}, content)
}
