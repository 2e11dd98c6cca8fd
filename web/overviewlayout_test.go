package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/checks"
)

// TestOverviewReasonFirst: a failing row says its severity, the probes that
// failed and the first reason before the probe strip, whose marks are one
// cell, not a column each.
func TestOverviewReasonFirst(t *testing.T) {
	doc := ovPage(t, ovHandler(t, ovChecks(), ovRuns()), "/")
	row := doc.Find(`tr[data-check="idp-login"]`)
	cells := row.Children()
	order := cells.Map(func(_ int, s *goquery.Selection) string {
		return s.AttrOr("class", "")
	})
	if got := strings.Join(order, ","); got != "name,state,problem,probes,runs,num uptime,num trend,last" {
		t.Fatalf("row cells %s", got)
	}
	p := row.Find(`[data-testid="problem"]`)
	if got := text(p.Find(`[data-testid="failed-probes"]`)); got != "login_wrong" {
		t.Errorf("failed probes %q", got)
	}
	if got := text(p.Find(`[data-testid="reason"]`)); got != "login with a wrong password: expected 401, got 200 OK" {
		t.Errorf("reason %q", got)
	}
	if doc.Find(`thead th`).Length() != 8 {
		t.Errorf("%d columns, want 8 whatever the probes", doc.Find(`thead th`).Length())
	}
	if text(doc.Find(`[data-check="pay-api"] [data-testid="problem"]`)) != "" {
		t.Error("a passing check shows a problem")
	}
}

// TestOverviewRunBar: each check's last runs, oldest left, coloured by
// outcome and severity, each linking to its run on the check page.
func TestOverviewRunBar(t *testing.T) {
	doc := ovPage(t, ovHandler(t, ovChecks(), ovRuns()), "/")
	bar := doc.Find(`[data-check="pay-api"] .runbar`)
	if got := bar.AttrOr("aria-label", ""); got != "last 5 runs, 2 failed" {
		t.Errorf("label %q", got)
	}
	if n := bar.Find(".r-none").Length(); n != runBarLen-5 {
		t.Errorf("%d empty slots, want %d", n, runBarLen-5)
	}
	links := bar.Find("a.r")
	classes := links.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("class", "") })
	if got := strings.Join(classes, " | "); got != "r r-sec | r r-pass | r r-pass | r r-sec | r r-pass" {
		t.Errorf("bars %s", got) // by start: 10 d, 3 d, 2 h, 90 min (critical), 30 min ago
	}
	hrefs := links.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("href", "") })
	newest := hrefs[4]
	if !strings.HasPrefix(newest, "/checks/pay-api#run-") {
		t.Errorf("newest run links %q", newest)
	}
	// An older run opens the page of runs before the one after it.
	id := strings.TrimPrefix(newest, "/checks/pay-api#run-")
	if !strings.HasPrefix(hrefs[3], "/checks/pay-api?before="+id+"#run-") {
		t.Errorf("second newest links %q (newest %s)", hrefs[3], id)
	}
	if title := links.Eq(3).AttrOr("title", ""); title != "2026-04-10 11:00:00 UTC: failed, critical-security" {
		t.Errorf("title %q", title)
	}
	if doc.Find(`[data-check="idp-discovery"] .runbar`).Length() != 0 {
		t.Error("a check that never ran has a bar")
	}
}

// TestOverviewRunBarLandsOnRun: the link of an older run opens a check
// page that holds that run.
func TestOverviewRunBarLandsOnRun(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	doc := ovPage(t, h, "/")
	doc.Find(`[data-check="pay-api"] .runbar a.r`).Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		path, frag, _ := strings.Cut(href, "#")
		page := ovPage(t, h, path)
		if page.Find(`#`+frag).Length() != 1 {
			t.Errorf("%s: the page lacks the run", href)
		}
	})
}

// TestOverviewTitleAndFavicon: the title and favicon carry the worst state
// of every check, whatever the filter.
func TestOverviewTitleAndFavicon(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	for _, tc := range []struct{ target, title, icon string }{
		{"/", "✖ 2 failing · authmon", "/static/favicon-failing.svg"},
		{"/?state=passing", "✖ 2 failing · authmon", "/static/favicon-failing.svg"},
	} {
		doc := ovPage(t, h, tc.target)
		if got := doc.Find("head > title").Text(); got != tc.title {
			t.Errorf("%s: title %q, want %q", tc.target, got, tc.title)
		}
		if got := doc.Find(`link[rel="icon"]`).AttrOr("href", ""); got != tc.icon {
			t.Errorf("%s: favicon %q, want %q", tc.target, got, tc.icon)
		}
	}
	passing := ovChecks()[:1]
	doc := ovPage(t, ovHandler(t, passing, ovRuns()[:3]), "/")
	if got := doc.Find("head > title").Text(); got != "✔ 1 passing · authmon" {
		t.Errorf("healthy title %q", got)
	}
	if got := doc.Find(`link[rel="icon"]`).AttrOr("href", ""); got != "/static/favicon-passing.svg" {
		t.Errorf("healthy favicon %q", got)
	}
	rec := get(t, h, "/static/favicon-failing.svg")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<svg") {
		t.Errorf("favicon: %d", rec.Code)
	}
}

// manyChecks is n checks in groups of 40, every 37th failing.
func manyChecks(n int) ([]checks.Check, []checks.Result) {
	list := make([]checks.Check, n)
	var runs []checks.Result
	for i := range list {
		name := fmt.Sprintf("c-%04d", i)
		list[i] = checks.Check{Name: name, Group: fmt.Sprintf("g-%02d", i/40), Method: "GET", URL: "https://x.example/",
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeMissing}}}
		reason := ""
		if i%37 == 36 {
			reason = bypass
		}
		runs = append(runs, ovRun(name, time.Minute, time.Millisecond, ovProbe(checks.ProbeMissing, reason)))
	}
	return list, runs
}

// TestOverviewCollapsed: with more checks than a page holds, each group
// shows only its failing checks, the groups with one first, and a link to
// the rest; the page stays small.
func TestOverviewCollapsed(t *testing.T) {
	list, runs := manyChecks(200)
	h := ovHandler(t, list, runs)
	rec := get(t, h, "/")
	doc := parse(t, rec)
	rows := doc.Find(`[data-testid="check-row"]`)
	got := rows.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-check", "") })
	if strings.Join(got, ",") != "c-0036,c-0073,c-0110,c-0147,c-0184" {
		t.Fatalf("rows %v, want the failing checks only", got)
	}
	groups := doc.Find(`[data-testid="group"]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-group", "") })
	if strings.Join(groups, ",") != "g-00,g-01,g-02,g-03,g-04" {
		t.Errorf("groups %v", groups)
	}
	more := doc.Find(`[data-group="g-01"] [data-testid="group-more"]`)
	if text(more) != "show 39 more" || more.AttrOr("href", "") != "/?group=g-01" {
		t.Errorf("more link %q → %q", text(more), more.AttrOr("href", ""))
	}
	if c := text(doc.Find(`[data-group="g-01"] .group-head .count`)); c != "40 checks: 39 passing, 1 failing" {
		t.Errorf("group count %q", c)
	}
	if n := rec.Body.Len(); n > 40_000 {
		t.Errorf("collapsed page is %d bytes", n)
	}
}

// TestOverviewGroupPages: one group's checks are paged, failing first.
func TestOverviewGroupPages(t *testing.T) {
	list, runs := manyChecks(200)
	for i := range list {
		list[i].Group = "all"
	}
	h := ovHandler(t, list, runs)
	doc := ovPage(t, h, "/?group=all")
	rows := doc.Find(`[data-testid="check-row"]`)
	if rows.Length() != rowsPerPage || rows.First().AttrOr("data-state", "") != "failing" {
		t.Fatalf("%d rows, first %s", rows.Length(), rows.First().AttrOr("data-state", ""))
	}
	if got := text(doc.Find(`[data-testid="pager"] span`)); got != "checks 1–50 of 200 · page 1 of 4" {
		t.Errorf("pager %q", got)
	}
	next := doc.Find(`[data-testid="pager-next"]`).AttrOr("href", "")
	if next != "/?group=all&page=2" {
		t.Fatalf("next %q", next)
	}
	last := ovPage(t, h, "/?group=all&page=9")
	if got := text(last.Find(`[data-testid="pager"] span`)); got != "checks 151–200 of 200 · page 4 of 4" {
		t.Errorf("past the end: %q", got)
	}
	if last.Find(`[data-testid="pager-next"]`).Length() != 0 || last.Find(`[data-testid="pager-prev"]`).AttrOr("href", "") != "/?group=all&page=3" {
		t.Error("last page links")
	}
}
