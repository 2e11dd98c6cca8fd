package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func parse(t *testing.T, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// cells joins the text of a row's cells with "|".
func cells(row *goquery.Selection) string {
	return strings.Join(row.Find("td").Map(func(_ int, s *goquery.Selection) string { return text(s) }), "|")
}

func TestOverview(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	doc := parse(t, rec)
	if got, want := text(doc.Find(`[data-testid="count"]`)), "5 checks: 2 passing, 2 failing, 1 pending"; got != want {
		t.Errorf("count line %q, want %q", got, want)
	}
	type row struct{ name, state, valid, missing, wrong string }
	want := []row{ // failing first, then by name
		{"api-bearer", "✖ failing", "pass", "fail", ""}, // no mark: wrong is not run
		{"api-flaky", "✖ failing", "fail", "pass", ""},
		{"api-basic", "✔ passing", "pass", "pass", "pass"},
		{"api-key", "✔ passing", "pass", "pass", "pass"},
		{pendingName, "… pending", "pending", "pending", "pending"},
	}
	rows := doc.Find(`[data-testid="check-row"]`)
	if rows.Length() != len(want) {
		t.Fatalf("%d rows, want %d", rows.Length(), len(want))
	}
	rows.Each(func(i int, r *goquery.Selection) {
		mark := func(kind string) string { return r.Find(`[data-testid="probe-`+kind+`"]`).AttrOr("data-mark", "") }
		got := row{text(r.Find(`[data-testid="check-link"]`)), text(r.Find(`[data-testid="state"]`)),
			mark("valid"), mark("missing"), mark("wrong")}
		if got != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got, want[i])
		}
	})
}

// TestOverviewRowDetails looks at the failing row and the pending row closely.
func TestOverviewRowDetails(t *testing.T) {
	h, _ := newTestHandler(t)
	rows := parse(t, get(t, h, "/")).Find(`[data-testid="check-row"]`)
	t.Run("failing row", func(t *testing.T) {
		r := rows.First()
		if title := r.Find(`[data-testid="probe-missing"]`).AttrOr("title", ""); !strings.Contains(title, "expected 401, got 200") {
			t.Errorf("failing cell title %q lacks the reason", title)
		}
		if n := r.Find(`[data-testid="probe-wrong"]`).Length(); n != 0 {
			t.Errorf("an unconfigured probe has %d marks, want none", n)
		}
		if p := text(r.Find(`[data-testid="problem"]`)); !strings.Contains(p, "critical-security") || !strings.Contains(p, "without credentials") {
			t.Errorf("problem cell %q lacks severity or reason", p)
		}
		if d := text(r.Find(`[data-testid="p95"]`)); d != "50 ms" { // 31 ms, in the 30-50 ms bucket
			t.Errorf("p95 %q, want 50 ms", d)
		}
		lr := r.Find(`[data-testid="last-run"] time`)
		if text(lr) != "20s ago" || lr.AttrOr("title", "") != "2026-03-01 11:59:40 UTC" || lr.AttrOr("datetime", "") != "2026-03-01T11:59:40Z" {
			t.Errorf("last run %q (title %q)", text(lr), lr.AttrOr("title", ""))
		}
	})
	t.Run("pending row", func(t *testing.T) {
		r := rows.Last()
		if href := r.Find(`[data-testid="check-link"]`).AttrOr("href", ""); href != "/checks/pending%20one%2F%CE%B2" {
			t.Errorf("href %q is not path-escaped", href)
		}
		if lr := text(r.Find(`[data-testid="last-run"]`)); lr != "never" {
			t.Errorf("last run %q, want never", lr)
		}
	})
}

func TestOverviewPanels(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/"))
	if m := text(doc.Find(`[data-testid="demo-mode"]`)); m != "normal" {
		t.Errorf("demo mode %q, want normal", m)
	}
	if b := text(doc.Find(`[data-testid="demo-bypass"]`)); b != "Switch to bypass" {
		t.Errorf("bypass button %q", b)
	}
	var alerts []string
	doc.Find(`[data-testid="alert"]`).Each(func(_ int, s *goquery.Selection) { alerts = append(alerts, text(s)) })
	want := []string{
		"2026-03-01 11:59:40 UTC ✖ opened api-bearer critical-security incident #4 pending: attempt 1, last error: slack: " + xss,
		"2026-03-01 11:58:00 UTC ⚠ flapping api-flaky availability incident #3 pending: not tried yet",
		"2026-03-01 11:56:00 UTC ✔ resolved api-flaky availability incident #2 sent at 2026-03-01 11:56:00 UTC",
		"2026-03-01 11:55:00 UTC ✔ resolved api-key critical-security incident #1 failed: channel_not_found",
		"2026-03-01 11:54:00 UTC ✖ opened api-flaky availability incident #2 sent at 2026-03-01 11:54:00 UTC",
		"2026-03-01 11:50:00 UTC ✖ opened api-key critical-security incident #1 sent at 2026-03-01 11:51:00 UTC",
	}
	if strings.Join(alerts, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(alerts, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckPage(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/checks/api-bearer")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	doc := parse(t, rec)
	if s := text(doc.Find(`[data-testid="check-state"]`)); !strings.HasPrefix(s, "✖ failing since 2026-03-01 11:59:40 UTC") {
		t.Errorf("state line %q", s)
	}
	cfg := text(doc.Find(`[data-testid="config"]`))
	for _, w := range []string{"GET", "http://127.0.0.1:8081/bearer", "@every 1m", "default", "bearer", "valid, missing"} {
		if !strings.Contains(cfg, w) {
			t.Errorf("config %q lacks %q", cfg, w)
		}
	}
	missing := doc.Find(`[data-testid="run"]`).First().Find(`[data-testid="probe"][data-kind="missing"]`)
	checks := map[string]string{
		"status":             "200 " + xss,
		"challenges":         `Bearer realm="` + xss + `"`,
		"challenge-problems": "field 0, byte 7: " + xss,
		"error":              "read body: " + xss,
	}
	for id, want := range checks {
		if got := text(missing.Find(`[data-testid="` + id + `"]`)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	failed := missing.Find(`[data-testid="assertion"][data-pass="false"]`)
	wantCells := "✖ fail|B1 " + explainText("B1") + "|RFC 9110 §15.5.2|critical-security|401|200 " + xss + "|without credentials: expected 401, got 200 " + xss
	if failed.Length() != 1 || !failed.HasClass("fail") || cells(failed) != wantCells {
		t.Errorf("failed assertion row = %q (class %q), want %q", cells(failed), failed.AttrOr("class", ""), wantCells)
	}
}

func TestCheckPageHidesSecrets(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/checks/api-basic")) // get fails on the canary
	cfg := text(doc.Find(`[data-testid="config"]`))
	if !strings.Contains(cfg, "http://monitor:[REDACTED]@127.0.0.1:8081/basic?key=[REDACTED]") {
		t.Errorf("config URL not redacted as expected: %q", cfg)
	}
	runs := doc.Find(`[data-testid="run"]`)
	if runs.Length() != 2 || runs.Find(`[data-testid="evidence-link"]`).Length() != 2 {
		t.Fatalf("want 2 runs, each linking to its evidence, got %d", runs.Length())
	}
	for _, s := range runs.Find(`[data-testid="evidence-link"]`).EachIter() { // get fails on the canary here too
		for _, hx := range []bool{false, true} {
			if rec := getEvidence(t, h, s.AttrOr("href", ""), hx); rec.Code != http.StatusOK {
				t.Errorf("GET %s: %d", s.AttrOr("href", ""), rec.Code)
			}
		}
	}
}

func TestPendingCheckPage(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/checks/"+url.PathEscape(pendingName))
	doc := parse(t, rec)
	if rec.Code != http.StatusOK || text(doc.Find(`[data-testid="check-name"]`)) != pendingName {
		t.Fatalf("status %d, name %q", rec.Code, text(doc.Find(`[data-testid="check-name"]`)))
	}
	if s := text(doc.Find(`[data-testid="check-state"]`)); s != "… pending no run yet" {
		t.Errorf("state line %q", s)
	}
	if doc.Find(`[data-testid="no-runs"]`).Length() != 1 {
		t.Error("no 'No runs yet' note")
	}
}

func TestNotFound(t *testing.T) {
	h, _ := newTestHandler(t)
	for _, path := range []string{"/checks/nope", "/nope", "/static/", "/static/missing.css", "/incidents/"} {
		if rec := get(t, h, path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, rec.Code)
		}
	}
	doc := parse(t, get(t, h, "/checks/nope"))
	if doc.Find(`[data-testid="not-found"]`).Length() != 1 {
		t.Error("unknown check does not get the 404 page")
	}
}

func TestSecurityHeaders(t *testing.T) {
	h, _ := newTestHandler(t)
	for _, path := range []string{"/", "/checks/api-basic", "/checks/nope", "/incidents", "/incidents/1", "/incidents/x"} {
		hd := get(t, h, path).Header()
		for k, v := range map[string]string{
			"Content-Type":            "text/html; charset=utf-8",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Content-Security-Policy": csp,
		} {
			if hd.Get(k) != v {
				t.Errorf("GET %s: %s = %q, want %q", path, k, hd.Get(k), v)
			}
		}
	}
}

// TestEscapesTargetText: whatever a target sends is text, never markup, and
// the pages carry no inline script or style that the CSP would have to allow.
func TestEscapesTargetText(t *testing.T) {
	h, _ := newTestHandler(t)
	for _, path := range []string{"/", "/checks/api-bearer", "/incidents", "/incidents/4"} {
		rec := get(t, h, path)
		body := rec.Body.String()
		if strings.Contains(body, xss) || !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("GET %s: target text not escaped", path)
		}
		doc := parse(t, rec)
		if n := doc.Find(`script:not([src^="/static/"]), script:not(:empty), style, [style]`).Length(); n != 0 {
			t.Errorf("GET %s: %d script or style elements", path, n)
		}
	}
}

func TestStaticAndHealth(t *testing.T) {
	h, _ := newTestHandler(t)
	for _, css := range []string{"/static/style.css", "/static/incidents.css"} {
		rec := get(t, h, css)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
			t.Errorf("%s: %d %q", css, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec := get(t, h, "/healthz"); rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Errorf("healthz: %d %q", rec.Code, rec.Body.String())
	}
}

func TestStoreErrorIs500(t *testing.T) {
	var logs bytes.Buffer
	h := New(Deps{Store: brokenStore{}, Checks: fixed(testChecks()), Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Now: func() time.Time { return t0 }})
	for _, path := range []string{"/", "/checks/api-basic", "/incidents", "/incidents/1"} {
		rec := get(t, h, path)
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), errBroken.Error()) {
			t.Errorf("GET %s: %d %q; want a 500 that hides the error", path, rec.Code, rec.Body.String())
		}
	}
	if !strings.Contains(logs.String(), errBroken.Error()) {
		t.Errorf("error not logged: %s", logs.String())
	}
}

// TestCheckPageStats: uptime and latency per window come from the rollups.
func TestCheckPageStats(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/checks/api-key"))
	rows := doc.Find(`[data-testid="stats-row"]`)
	if rows.Length() != 4 {
		t.Fatalf("%d stats rows, want 4 (24 h, 7 d, 30 d, 1 y)", rows.Length())
	}
	// The fixture's runs are from March 2026: only the year window holds them.
	if w := text(rows.Last().Find("th")); w != "1 y" {
		t.Fatalf("last window = %q", w)
	}
	if year := cells(rows.Last()); !strings.Contains(year, "%") || strings.HasPrefix(year, "—") {
		t.Fatalf("1 y row = %q", year)
	}
	if day := cells(rows.First()); !strings.HasPrefix(day, "—|0|0|") {
		t.Fatalf("24 h row = %q, want no runs", day)
	}
}
