package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// attrs lists one attribute of every match, in document order.
func attrs(s *goquery.Selection, name string) []string {
	return s.Map(func(_ int, e *goquery.Selection) string { return e.AttrOr(name, "") })
}

// texts lists the text of every match, in document order.
func texts(s *goquery.Selection) []string {
	return s.Map(func(_ int, e *goquery.Selection) string { return text(e) })
}

func TestIncidentsList(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/incidents")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	doc := parse(t, rec)
	if got := text(doc.Find(`[data-testid="incident-count"]`)); got != "2 open, 2 resolved" {
		t.Errorf("count line %q", got)
	}
	if got := texts(doc.Find(`tr.group`)); !slices.Equal(got, []string{"Open (2)", "Resolved (2)"}) {
		t.Errorf("group titles %q", got)
	}
	rows := doc.Find(`[data-testid="incident-row"]`)
	// Open first (newest first), then the history (newest first).
	if got, want := attrs(rows, "data-incident"), []string{"4", "3", "2", "1"}; !slices.Equal(got, want) {
		t.Errorf("incident order %v, want %v", got, want)
	}
	open := doc.Find(`[data-testid="incidents-open"] [data-testid="incident-row"]`)
	if got := attrs(open, "data-state"); !slices.Equal(got, []string{"open", "open"}) {
		t.Errorf("open group states %v", got)
	}
	if got := attrs(doc.Find(`[data-testid="incidents-resolved"] [data-testid="incident-row"]`), "data-state"); !slices.Equal(got, []string{"resolved", "resolved"}) {
		t.Errorf("resolved group states %v", got)
	}
	checkIncidentRows(t, rows)
	if href := rows.First().Find(`[data-testid="incident-check"]`).AttrOr("href", ""); href != "/checks/api-bearer" {
		t.Errorf("check link %q", href)
	}
}

// checkIncidentRows compares three rows of the list cell by cell.
func checkIncidentRows(t *testing.T, rows *goquery.Selection) {
	t.Helper()
	want := map[string]string{
		"4": "#4 ✖ open|api-bearer critical-security|2026-03-01 11:59:40 UTC 20s ago|20s|still open|" +
			"1 assertion without credentials: expected 401, got 200 " + xss + "|✖ opened: pending: attempt 1, last error: slack: " + xss,
		"3": "#3 ✖ open|api-flaky availability|2026-03-01 11:58:00 UTC 2m ago|2m|still open|" +
			"1 assertion with valid credentials: expected 2xx, got 503 Service Unavailable|not announced ⚠ flapping: pending: not tried yet",
		"1": "#1 ✔ resolved|api-key critical-security|2026-03-01 11:50:00 UTC 10m ago|5m|2026-03-01 11:55:00 UTC|" +
			"1 assertion without credentials: expected 401, got 200 OK|✔ resolved: failed: channel_not_found",
	}
	for id, w := range want {
		row := rows.Filter(`[data-incident="` + id + `"]`)
		if got := cells(row); got != w {
			t.Errorf("row #%s:\n got %q\nwant %q", id, got, w)
		}
		if href := row.Find(`[data-testid="incident-link"]`).AttrOr("href", ""); href != "/incidents/"+id {
			t.Errorf("row #%s links to %q", id, href)
		}
	}
}

func TestIncidentPage(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/incidents/1")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	doc := parse(t, rec)
	for id, want := range map[string]string{
		"incident-title":      "Incident #1: api-key",
		"incident-state":      "✔ resolved critical-security lasted 5m",
		"incident-opened":     "2026-03-01 11:50:00 UTC 10m ago",
		"incident-resolved":   "2026-03-01 11:55:00 UTC 5m ago",
		"incident-duration":   "5m",
		"incident-runs":       "run #2",
		"incident-before-run": "run #1",
		"incident-thread":     "channel C0AUTHMON, ts 1772366460.000100",
	} {
		if got := text(doc.Find(`[data-testid="` + id + `"]`)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := attrs(doc.Find(`[data-testid="incident-runs"] a, [data-testid="incident-before-run"] a`), "href"); !slices.Equal(got, []string{"/checks/api-key/runs/2/evidence", "/checks/api-key/runs/1/evidence"}) {
		t.Errorf("run links %v", got)
	} else if rec := get(t, h, got[0]); rec.Code != http.StatusOK { // kept as long as the run, unlike the check page's list
		t.Errorf("GET %s: %d", got[0], rec.Code)
	}
	reg := doc.Find(`[data-testid="regression"]`)
	if got, want := cells(reg), "missing/B1|RFC 9110 §15.5.2|critical-security|401|401 → 200|without credentials: expected 401, got 200 OK"; got != want {
		t.Errorf("regression row\n got %q\nwant %q", got, want)
	}
	ns := doc.Find(`[data-testid="notification"]`)
	if got := attrs(ns, "data-kind"); !slices.Equal(got, []string{"opened", "resolved"}) {
		t.Errorf("notification kinds %v, want oldest first", got)
	}
	if got, want := texts(ns.Find(`[data-testid="delivery"]`)), []string{"sent at 2026-03-01 11:51:00 UTC", "failed: channel_not_found"}; !slices.Equal(got, want) {
		t.Errorf("deliveries %q, want %q", got, want)
	}
}

// TestIncidentPageOpen: an open incident with no "before" evidence, a
// pending delivery and hostile text from the target.
func TestIncidentPageOpen(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/incidents/4")
	if body := rec.Body.String(); strings.Contains(body, xss) || !strings.Contains(body, "&lt;script&gt;") {
		t.Error("target text in the regression not escaped")
	}
	doc := parse(t, rec)
	for id, want := range map[string]string{
		"incident-state":      "✖ open critical-security open for 20s",
		"incident-resolved":   "still open",
		"incident-before-run": "none recorded",
		"incident-thread":     "none yet",
		"before-now":          "— → 200 " + xss,
		"reason":              "without credentials: expected 401, got 200 " + xss,
		"delivery":            "pending: attempt 1, last error: slack: " + xss,
	} {
		if got := text(doc.Find(`[data-testid="` + id + `"]`)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	flaky := parse(t, get(t, h, "/incidents/3"))
	if got := text(flaky.Find(`[data-testid="incident-state"]`)); got != "✖ open availability open for 2m not announced" {
		t.Errorf("flapping incident state %q", got)
	}
	if got := text(flaky.Find(`[data-testid="delivery"]`)); got != "pending: not tried yet" {
		t.Errorf("flapping notice delivery %q", got)
	}
}

func TestIncidentNotFound(t *testing.T) {
	h, _ := newTestHandler(t)
	for _, path := range []string{"/incidents/999", "/incidents/abc", "/incidents/0", "/incidents/-1",
		"/incidents/+4", "/incidents/4x", "/incidents/99999999999999999999"} {
		rec := get(t, h, path)
		if rec.Code != http.StatusNotFound || parse(t, rec).Find(`[data-testid="not-found"]`).Length() != 1 {
			t.Errorf("GET %s: status %d, want the 404 page", path, rec.Code)
		}
	}
}

// TestIncidentsOfUnconfiguredCheck: as with checks, the dashboard shows
// nothing about a check that is no longer configured.
func TestIncidentsOfUnconfiguredCheck(t *testing.T) {
	cfg := slices.DeleteFunc(testChecks(), func(c checks.Check) bool { return c.Name == "api-key" })
	h := New(Deps{Store: seededStore(t), Checks: fixed(cfg), Now: func() time.Time { return t0 }})
	if rec := get(t, h, "/incidents/1"); rec.Code != http.StatusNotFound {
		t.Errorf("incident of a removed check: status %d, want 404", rec.Code)
	}
	rows := parse(t, get(t, h, "/incidents")).Find(`[data-testid="incident-row"]`)
	if got := attrs(rows, "data-incident"); !slices.Equal(got, []string{"4", "3", "2"}) {
		t.Errorf("incidents %v, want the removed check's left out", got)
	}
}

func TestOverviewOpenIncidents(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/"))
	first := doc.Find(`[data-testid="open-incidents"], [data-testid="checks"]`).First()
	if first.AttrOr("data-testid", "") != "open-incidents" {
		t.Fatal("no open incidents panel above the checks table")
	}
	items := first.Find(`[data-testid="open-incident"]`)
	want := []string{ // worst first; the header line, then the first reason
		"critical-security api-bearer open since 2026-03-01 11:59:40 UTC (20s) incident #4 | without credentials: expected 401, got 200 " + xss,
		"availability api-flaky open since 2026-03-01 11:58:00 UTC (2m) not announced incident #3 | with valid credentials: expected 2xx, got 503 Service Unavailable",
	}
	got := items.Map(func(_ int, li *goquery.Selection) string {
		return text(li.Find(".head")) + " | " + text(li.Find(".reason"))
	})
	if !slices.Equal(got, want) {
		t.Errorf("open incidents:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := attrs(items.Find(`[data-testid="open-incident-link"]`), "href"); !slices.Equal(got, []string{"/incidents/4", "/incidents/3"}) {
		t.Errorf("panel links %v", got)
	}
	rows := doc.Find(`[data-testid="check-row"]`)
	if got := attrs(rows.Has(`[data-testid="flapping"]`), "data-check"); !slices.Equal(got, []string{"api-flaky"}) {
		t.Errorf("flapping rows %v, want api-flaky", got)
	}
	if got := text(rows.Find(`[data-testid="flapping"]`)); got != "⚠ flapping" {
		t.Errorf("flapping tag %q", got)
	}
	links := rows.Find(`[data-testid="incident-link"]`)
	if got := texts(links); !slices.Equal(got, []string{"incident #4", "incident #3"}) {
		t.Errorf("incident links in the table %v", got)
	}
	if got := attrs(links, "href"); !slices.Equal(got, []string{"/incidents/4", "/incidents/3"}) {
		t.Errorf("incident hrefs in the table %v", got)
	}
}

func TestOverviewWithoutOpenIncidents(t *testing.T) {
	cfg := slices.DeleteFunc(testChecks(), func(c checks.Check) bool { return c.Name == "api-bearer" || c.Name == "api-flaky" })
	h := New(Deps{Store: seededStore(t), Checks: fixed(cfg), Now: func() time.Time { return t0 }})
	doc := parse(t, get(t, h, "/"))
	if n := doc.Find(`[data-testid="open-incidents"], [data-testid="flapping"], [data-testid="incident-link"]`).Length(); n != 0 {
		t.Errorf("%d incident marks on an overview with no open incident", n)
	}
	if doc.Find(`[data-testid="nav-incidents"]`).AttrOr("href", "") != "/incidents" {
		t.Error("no Incidents link in the navigation")
	}
}

func TestCheckPageIncidents(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/checks/api-flaky"))
	if got := text(doc.Find(`[data-testid="check-state"]`)); !strings.HasSuffix(got, "⚠ flapping incident #3") {
		t.Errorf("state line %q lacks the flapping tag and the incident", got)
	}
	rows := doc.Find(`[data-testid="check-incidents"] [data-testid="incident-row"]`)
	if got := attrs(rows, "data-incident"); !slices.Equal(got, []string{"3", "2"}) {
		t.Errorf("incidents %v, want [3 2]", got)
	}
	w := "#2 ✔ resolved|api-flaky availability|2026-03-01 11:54:00 UTC 6m ago|2m|2026-03-01 11:56:00 UTC|" +
		"1 assertion with valid credentials: expected 2xx, got 503 Service Unavailable|✔ resolved: sent at 2026-03-01 11:56:00 UTC"
	if got := cells(rows.Last()); got != w {
		t.Errorf("row #2:\n got %q\nwant %q", got, w)
	}
	if doc.Find(`#run-7[data-testid="run"]`).Length() != 1 {
		t.Error("the incident's first failing run has no anchor")
	}
	basic := parse(t, get(t, h, "/checks/api-basic"))
	if got := text(basic.Find(`[data-testid="check-incidents"] .empty`)); got != "No incidents yet." {
		t.Errorf("check without incidents: %q", got)
	}
}

// TestIncidentFactsRunRange renders the facts of an incident that spans
// several failing runs, which the fixtures do not have.
func TestIncidentFactsRunRange(t *testing.T) {
	var buf bytes.Buffer
	rec := store.IncidentRecord{Incident: alert.Incident{ID: 9, Check: "api-key", Opened: t0.Add(-3 * time.Hour),
		FirstFailRun: 3, LastFailRun: 7, BeforeRun: 2, Channel: "#auth-alerts"}}
	if err := listIncidentFacts(rec, t0).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"incident-runs": "run #3 to run #7", "incident-duration": "3h", "incident-before-run": "run #2"} {
		if got := text(doc.Find(`[data-testid="` + id + `"]`)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := text(doc.Find("dd").Eq(6)); got != "#auth-alerts" {
		t.Errorf("channel %q", got)
	}
}

// TestNoSecretOnAnyPage visits every page of the seeded dashboard; get fails
// the test if the canary secret appears in any of them.
func TestNoSecretOnAnyPage(t *testing.T) {
	h, _ := newTestHandler(t)
	paths := []string{"/", "/incidents", "/incidents/1", "/incidents/2", "/incidents/3", "/incidents/4"}
	for _, c := range testChecks() {
		paths = append(paths, checkHref(c.Name))
	}
	for _, path := range paths {
		if rec := get(t, h, path); rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", path, rec.Code)
		}
	}
}
