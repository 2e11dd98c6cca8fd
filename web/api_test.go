package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// getJSON serves a GET, checks the status and the JSON content type, and
// decodes the body into v (when not nil).
func getJSON(t *testing.T, h http.Handler, path string, want int, v any) *httptest.ResponseRecorder {
	t.Helper()
	rec := get(t, h, path)
	if rec.Code != want {
		t.Fatalf("GET %s: status %d, want %d (%s)", path, rec.Code, want, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if strings.Contains(rec.Body.String(), "<script>") {
		t.Errorf("GET %s: raw markup in JSON", path)
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return rec
}

func TestAPIChecks(t *testing.T) {
	h, _ := newTestHandler(t)
	var body struct{ Checks []apiCheck }
	getJSON(t, h, "/api/v1/checks", http.StatusOK, &body)
	type row struct {
		name, state, severity string
		failing               int
		ran, incident         bool
	}
	want := []row{ // the configured order
		{"api-basic", "passing", "none", 0, true, false},
		{"api-bearer", "failing", "critical-security", 1, true, true},
		{"api-key", "passing", "none", 0, true, false},
		{"api-flaky", "failing", "availability", 1, true, true},
		{pendingName, "pending", "none", 0, false, false},
	}
	if len(body.Checks) != len(want) {
		t.Fatalf("%d checks, want %d", len(body.Checks), len(want))
	}
	for i, c := range body.Checks {
		got := row{c.Name, c.State, c.Severity, len(c.Failing), c.LastRun != nil, c.OpenIncident != nil}
		if got != want[i] {
			t.Errorf("check %d = %+v, want %+v", i, got, want[i])
		}
		if c.Kind != "protected" || c.Schedule == "" || c.Method == "" {
			t.Errorf("%s: kind %q schedule %q method %q", c.Name, c.Kind, c.Schedule, c.Method)
		}
	}
	bearer := body.Checks[1]
	if f := bearer.Failing[0]; f.Probe != "missing" || f.Assertion != "B1" || !strings.Contains(f.Reason, "expected 401") {
		t.Errorf("bearer failure %+v", f)
	}
	if *bearer.OpenIncident != 4 || bearer.Since.IsZero() || bearer.LastRun.DurationMS != 31 {
		t.Errorf("bearer: incident %d since %v duration %v", *bearer.OpenIncident, bearer.Since, bearer.LastRun.DurationMS)
	}
	if u := body.Checks[0].URL; u != "http://monitor:[REDACTED]@127.0.0.1:8081/basic?key=[REDACTED]" {
		t.Errorf("api-basic URL %q: want the target with its password and secrets masked", u)
	}
}

// TestAPIFieldNames pins the wire format: renaming a field breaks clients.
func TestAPIFieldNames(t *testing.T) {
	h, _ := newTestHandler(t)
	var raw struct{ Checks []map[string]any }
	getJSON(t, h, "/api/v1/checks", http.StatusOK, &raw)
	for _, k := range []string{"name", "kind", "group", "method", "url", "schedule", "state", "severity", "since",
		"flapping", "last_run", "failing", "open_incident"} {
		if _, ok := raw.Checks[1][k]; !ok {
			t.Errorf("check field %q missing", k)
		}
	}
	var run struct{ Runs []map[string]any }
	getJSON(t, h, "/api/v1/checks/api-bearer/runs", http.StatusOK, &run)
	for _, k := range []string{"id", "started", "duration_ms", "passed", "severity", "probes"} {
		if _, ok := run.Runs[0][k]; !ok {
			t.Errorf("run field %q missing", k)
		}
	}
	var inc map[string]any
	getJSON(t, h, "/api/v1/incidents/1", http.StatusOK, &inc)
	for _, k := range []string{"id", "check", "state", "severity", "opened", "resolved", "duration_s", "silenced",
		"first_fail_run", "last_fail_run", "regressions", "latest_notification", "notifications"} {
		if _, ok := inc[k]; !ok {
			t.Errorf("incident field %q missing", k)
		}
	}
}

func TestAPICheck(t *testing.T) {
	h, _ := newTestHandler(t)
	var c apiCheckDetail
	getJSON(t, h, "/api/v1/checks/api-key", http.StatusOK, &c)
	if c.Name != "api-key" || c.State != "passing" || strings.Join(c.Probes, ",") != "valid,missing,wrong" {
		t.Errorf("check %+v", c.apiCheck)
	}
	// The fixture's runs are from March 2026: only the year window holds them.
	if len(c.Uptime) != 4 || c.Uptime[0].Window != "24h" || c.Uptime[1].Window != "7d" || c.Uptime[3].Window != "365d" {
		t.Fatalf("uptime windows %+v", c.Uptime)
	}
	if day, year := c.Uptime[0], c.Uptime[3]; day.Runs != 0 || day.UptimePercent != nil || year.Runs != 3 || year.Failed != 1 ||
		year.UptimePercent == nil || *year.UptimePercent < 66.6 || *year.UptimePercent > 66.7 || year.P50MS <= 0 {
		t.Errorf("uptime %+v", c.Uptime)
	}
	var pending apiCheckDetail
	getJSON(t, h, "/api/v1/checks/pending%20one%2F%CE%B2", http.StatusOK, &pending)
	if pending.State != "pending" || pending.LastRun != nil || pending.Uptime[0].UptimePercent != nil {
		t.Errorf("pending check %+v", pending)
	}
	var e apiError
	getJSON(t, h, "/api/v1/checks/nope", http.StatusNotFound, &e)
	if e.Error == "" {
		t.Error("404 without an error message")
	}
}

// TestAPIRunsPaging walks api-key's three runs two at a time, then filters
// by time.
func TestAPIRunsPaging(t *testing.T) {
	h, _ := newTestHandler(t)
	var p1, p2 apiRuns
	getJSON(t, h, "/api/v1/checks/api-key/runs?limit=2", http.StatusOK, &p1)
	if len(p1.Runs) != 2 || p1.Next == "" || !p1.Runs[0].Started.After(p1.Runs[1].Started) {
		t.Fatalf("page 1: %d runs, next %q", len(p1.Runs), p1.Next)
	}
	getJSON(t, h, p1.Next, http.StatusOK, &p2)
	if len(p2.Runs) != 1 || p2.Next != "" || p2.Runs[0].ID >= p1.Runs[1].ID {
		t.Fatalf("page 2: %+v", p2)
	}
	if p1.Runs[1].Passed || p1.Runs[1].Severity != "critical-security" {
		t.Errorf("the failed run: passed %v severity %q", p1.Runs[1].Passed, p1.Runs[1].Severity)
	}
	probe := p1.Runs[1].Probes[1]
	if probe.Kind != "missing" || probe.Status != 200 || len(probe.Assertions) != 1 || probe.Assertions[0].Pass {
		t.Errorf("the bypassed probe: %+v", probe)
	}
	from, to := t0.Add(-11*time.Minute).Format(time.RFC3339), t0.Add(-6*time.Minute).Format(time.RFC3339)
	var window apiRuns
	getJSON(t, h, "/api/v1/checks/api-key/runs?from="+from+"&to="+to, http.StatusOK, &window)
	if len(window.Runs) != 1 || !window.Runs[0].Started.Equal(t0.Add(-10*time.Minute)) {
		t.Errorf("from %s to %s: %+v", from, to, window.Runs)
	}
}

func TestAPIErrors(t *testing.T) {
	h, _ := newTestHandler(t)
	tests := []struct {
		path string
		want int
	}{
		{"/api/v1/checks/api-key/runs?limit=0", http.StatusBadRequest},
		{"/api/v1/checks/api-key/runs?limit=501", http.StatusBadRequest},
		{"/api/v1/checks/api-key/runs?limit=x", http.StatusBadRequest},
		{"/api/v1/checks/api-key/runs?before=-1", http.StatusBadRequest},
		{"/api/v1/checks/api-key/runs?from=yesterday", http.StatusBadRequest},
		{"/api/v1/checks/api-key/runs?from=2026-03-01T12:00:00Z&to=2026-03-01T11:00:00Z", http.StatusBadRequest},
		{"/api/v1/checks/api-key/runs?before=999999", http.StatusNotFound},
		{"/api/v1/checks/nope/runs", http.StatusNotFound},
		{"/api/v1/incidents?state=closed", http.StatusBadRequest},
		{"/api/v1/incidents?limit=-3", http.StatusBadRequest},
		{"/api/v1/incidents/999", http.StatusNotFound},
		{"/api/v1/incidents/abc", http.StatusNotFound},
		{"/api/v2/checks", http.StatusNotFound},
		{"/api/v1/checks/", http.StatusNotFound},
	}
	for _, tt := range tests {
		var e apiError
		getJSON(t, h, tt.path, tt.want, &e)
		if e.Error == "" {
			t.Errorf("GET %s: no error message", tt.path)
		}
	}
	req := httptest.NewRequest(http.MethodDelete, "/api/v1/checks/api-key", nil)
	req.Header.Set(csrfHeader, formTokenOf(t, getWith(t, h, "/", testCSRF, nil))) // past the CSRF guard
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("DELETE: status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestAPIIncidents(t *testing.T) {
	h, _ := newTestHandler(t)
	var all, open struct{ Incidents []apiIncident }
	getJSON(t, h, "/api/v1/incidents", http.StatusOK, &all)
	getJSON(t, h, "/api/v1/incidents?state=open&limit=10", http.StatusOK, &open)
	if len(all.Incidents) != 4 || len(open.Incidents) != 2 {
		t.Fatalf("%d incidents, %d open; want 4 and 2", len(all.Incidents), len(open.Incidents))
	}
	for _, inc := range open.Incidents {
		if inc.State != "open" || !inc.Resolved.IsZero() || inc.Notifications != nil {
			t.Errorf("open incident %+v", inc)
		}
	}
	bearer := open.Incidents[0]
	if bearer.ID != 4 || bearer.Check != "api-bearer" || bearer.Severity != "critical-security" ||
		bearer.DurationS != 20 || len(bearer.Regressions) != 1 || bearer.Regressions[0].Assertion != "B1" {
		t.Errorf("bearer incident %+v", bearer)
	}
	if n := bearer.LatestNotification; n == nil || n.State != "retrying" || n.Kind != "opened" || n.NextTry.IsZero() {
		t.Errorf("bearer notification %+v", n)
	}
	var one apiIncident
	getJSON(t, h, "/api/v1/incidents/1", http.StatusOK, &one)
	if one.Check != "api-key" || one.State != "resolved" || one.DurationS != 300 || len(one.Notifications) != 2 {
		t.Errorf("incident 1: %+v", one)
	}
	if one.Notifications[0].State != "sent" || one.Notifications[1].State != "failed" || one.Notifications[1].LastError == "" {
		t.Errorf("incident 1 notifications %+v", one.Notifications)
	}
}

// TestAPIForgetsUnconfiguredChecks: the API, like the pages, shows nothing
// about checks that are no longer configured.
func TestAPIForgetsUnconfiguredChecks(t *testing.T) {
	h := New(Deps{Store: seededStore(t), Checks: fixed(testChecks()[:1]), Now: func() time.Time { return t0 }})
	var body struct{ Checks []apiCheck }
	getJSON(t, h, "/api/v1/checks", http.StatusOK, &body)
	if len(body.Checks) != 1 {
		t.Errorf("%d checks, want the one configured", len(body.Checks))
	}
	getJSON(t, h, "/api/v1/incidents/4", http.StatusNotFound, nil)
	getJSON(t, h, "/api/v1/checks/api-bearer/runs", http.StatusNotFound, nil)
	var inc struct{ Incidents []apiIncident }
	getJSON(t, h, "/api/v1/incidents", http.StatusOK, &inc)
	if len(inc.Incidents) != 0 {
		t.Errorf("%d incidents of unconfigured checks", len(inc.Incidents))
	}
}

func TestAPIStoreFailure(t *testing.T) {
	h := New(Deps{Store: brokenStore{}, Checks: fixed(testChecks())})
	for _, p := range []string{"/api/v1/checks", "/api/v1/checks/api-key", "/api/v1/checks/api-key/runs",
		"/api/v1/incidents", "/api/v1/incidents/1"} {
		var e apiError
		rec := getJSON(t, h, p, http.StatusInternalServerError, &e)
		if e.Error != "internal server error" || strings.Contains(rec.Body.String(), errBroken.Error()) {
			t.Errorf("GET %s: %q", p, rec.Body.String())
		}
	}
}
