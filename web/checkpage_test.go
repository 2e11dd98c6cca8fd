package web

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// historyStore records n runs of api-basic, one a minute up to t0, every
// tenth failing and slower, plus the given extra runs.
func historyStore(t *testing.T, n int, extra ...checks.Result) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetFolding(false) // a row per run: these tests page through runs (fold_test.go folds)
	for i := n - 1; i >= 0; i-- {
		res := basicRun(t0.Add(-time.Duration(i) * time.Minute))
		if i%10 == 5 {
			res.Duration = 400 * time.Millisecond
			res.Probes[1].Status, res.Probes[1].Assertions[0].Pass = 200, false
		}
		if _, _, err := s.RecordRun(ctx, res, eval); err != nil {
			t.Fatal(err)
		}
	}
	for _, res := range extra {
		if _, _, err := s.RecordRun(ctx, res, eval); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func eval(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
	return alert.Decide(prev, res, runID, testPolicy())
}

func historyHandler(t *testing.T, s *store.Store) http.Handler {
	t.Helper()
	return New(Deps{Store: s, Checks: fixed(testChecks()), Now: func() time.Time { return t0 }})
}

// runIDs lists the run ids of a page, in order.
func runIDs(doc *goquery.Document) []string {
	return doc.Find(`[data-testid="run"]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-run", "") })
}

// TestCheckPagePagination follows "Older runs" to the end and back.
func TestCheckPagePagination(t *testing.T) {
	h := historyHandler(t, historyStore(t, 120))
	seen := map[string]bool{}
	path, pages := "/checks/api-basic", 0
	for ; path != "" && pages < 5; pages++ { // 3 pages expected; bounded
		rec := get(t, h, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		doc := parse(t, rec)
		ids := runIDs(doc)
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("run %s shown twice", id)
			}
			seen[id] = true
		}
		newest := doc.Find(`[data-testid="newest-runs"]`)
		if (pages == 0) != (newest.Length() == 0) {
			t.Errorf("page %d: newest link present = %v", pages, newest.Length() == 1)
		}
		// The newest run passed: no run's evidence is in the page, each
		// links to its own.
		if n, links := doc.Find(`[data-testid="probe"]`).Length(), doc.Find(`[data-testid="evidence-link"]`).Length(); n != 0 || links != len(ids) {
			t.Errorf("page %d: %d probes' evidence inline, %d evidence links for %d runs", pages, n, links, len(ids))
		}
		want := []int{50, 50, 20}[min(pages, 2)]
		if len(ids) != want {
			t.Errorf("page %d: %d runs, want %d", pages, len(ids), want)
		}
		path = doc.Find(`[data-testid="older-runs"]`).AttrOr("href", "")
		if path != "" && !strings.Contains(path, "before="+ids[len(ids)-1]) {
			t.Errorf("older link %q does not start after run %s", path, ids[len(ids)-1])
		}
	}
	if pages != 3 || len(seen) != 120 {
		t.Fatalf("%d pages, %d runs; want 3 pages of 120 runs", pages, len(seen))
	}
}

// TestCheckPageTimeRange narrows the runs to a range and pages within it.
func TestCheckPageTimeRange(t *testing.T) {
	h := historyHandler(t, historyStore(t, 120))
	q := url.Values{"from": {"2026-03-01T10:30"}, "to": {"2026-03-01T11:50"}, "range": {"7d"}}
	doc := parse(t, get(t, h, "/checks/api-basic?"+q.Encode()))
	times := doc.Find(`[data-testid="run"] .run-head time`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("datetime", "") })
	if len(times) != 50 || times[0] != "2026-03-01T11:49:00Z" || times[49] != "2026-03-01T11:00:00Z" {
		t.Fatalf("%d runs from %v to %v", len(times), times[0], times[len(times)-1])
	}
	older := doc.Find(`[data-testid="older-runs"]`).AttrOr("href", "")
	for _, want := range []string{"from=2026-03-01T10%3A30", "to=2026-03-01T11%3A50", "range=7d", "before="} {
		if !strings.Contains(older, want) {
			t.Errorf("older link %q lacks %q", older, want)
		}
	}
	doc = parse(t, get(t, h, older))
	if n := doc.Find(`[data-testid="run"]`).Length(); n != 30 || doc.Find(`[data-testid="older-runs"]`).Length() != 0 {
		t.Errorf("second page: %d runs (want 30) and an older link: %d", n, doc.Find(`[data-testid="older-runs"]`).Length())
	}
	if v := doc.Find(`input[name="from"]`).AttrOr("value", ""); v != "2026-03-01T10:30" {
		t.Errorf("from input = %q", v)
	}
	if text(doc.Find(`[data-testid="span-current"]`)) != "7 d" {
		t.Errorf("range not kept: %q", text(doc.Find(`[data-testid="span-current"]`)))
	}
	doc = parse(t, get(t, h, "/checks/api-basic?from=2027-01-01"))
	if text(doc.Find(`[data-testid="no-runs"]`)) != "No runs in this time range." {
		t.Errorf("empty range says %q", text(doc.Find(`[data-testid="no-runs"]`)))
	}
}

func TestCheckPageBadQuery(t *testing.T) {
	h := historyHandler(t, historyStore(t, 3))
	for path, want := range map[string]int{
		"/checks/api-basic?range=1y":                                      http.StatusBadRequest,
		"/checks/api-basic?before=x":                                      http.StatusBadRequest,
		"/checks/api-basic?before=-1":                                     http.StatusBadRequest,
		"/checks/api-basic?from=yesterday":                                http.StatusBadRequest,
		"/checks/api-basic?from=2026-03-02&to=2026-03-01":                 http.StatusBadRequest,
		"/checks/api-basic?before=999999":                                 http.StatusNotFound,
		"/checks/api-basic?from=2026-03-01&to=2026-03-01":                 http.StatusOK, // that whole day
		"/checks/api-basic?from=2026-03-01T10:00:00Z&to=2026-03-01T13:00": http.StatusOK,
	} {
		rec := get(t, h, path)
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
		if want == http.StatusBadRequest && parse(t, rec).Find(`[data-testid="bad-request"]`).Length() != 1 {
			t.Errorf("GET %s: no explanation", path)
		}
	}
	rec := get(t, h, "/checks/api-basic?from="+url.QueryEscape(xss))
	if body := rec.Body.String(); strings.Contains(body, xss) || !strings.Contains(body, "&lt;script&gt;") {
		t.Error("the bad parameter is not escaped in the explanation")
	}
}

// TestCheckPageCharts: the latency chart and the uptime bars come from the
// rollups: 120 runs in the last two hours, 12 of them failed and slow.
func TestCheckPageCharts(t *testing.T) {
	h := historyHandler(t, historyStore(t, 120))
	doc := parse(t, get(t, h, "/checks/api-basic"))
	lat := doc.Find(`[data-testid="latency"]`)
	if lat.Find("svg.chart-wide").Length() != 1 || lat.Find("svg.chart-narrow").Length() != 1 {
		t.Fatal("want a wide and a narrow latency chart")
	}
	wide := lat.Find("svg.chart-wide")
	// 10:00-12:00 UTC hold runs: three hourly buckets in a row, one line each.
	if n := wide.Find("polyline.p95").Length(); n != 1 {
		t.Errorf("%d p95 lines, want 1", n)
	}
	if n := wide.Find("rect.hit").Length(); n != 24 {
		t.Errorf("%d hourly buckets, want 24", n)
	}
	if s := text(doc.Find(`[data-testid="latency-summary"]`)); !strings.Contains(s, "120 runs in the last 24 h") || !strings.Contains(s, "p95 500 ms") {
		t.Errorf("latency summary %q", s)
	}
	titles := wide.Find("rect.hit title").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if !strings.Contains(strings.Join(titles, "\n"), "2026-03-01 11:00 UTC: p50 30 ms, p95 500 ms, 60 runs, 6 failed") {
		t.Errorf("bucket titles lack 11:00: %q", titles[len(titles)-2:])
	}
	bars := doc.Find(`[data-testid="uptime-bar"]`)
	if bars.Length() != 30 || !bars.Last().HasClass("day-down") || !bars.First().HasClass("day-none") {
		t.Errorf("%d bars, last %q, first %q", bars.Length(), bars.Last().AttrOr("class", ""), bars.First().AttrOr("class", ""))
	}
	if s := text(doc.Find(`[data-testid="uptime-summary"]`)); s != "90.00 % over 30 days (120 runs, 12 failed). Days with failures: 2026-03-01: 90.00 %." {
		t.Errorf("uptime summary %q", s)
	}
	doc = parse(t, get(t, h, "/checks/api-basic?range=30d"))
	if n := doc.Find("svg.chart-wide rect.hit").Length(); n != 30 || doc.Find("svg.chart-wide circle.p95").Length() != 1 {
		t.Errorf("30 d: %d daily buckets (want 30) and %d dots (want 1)", n, doc.Find("svg.chart-wide circle.p95").Length())
	}
	doc = parse(t, get(t, h, "/checks/"+url.PathEscape(pendingName)))
	if doc.Find(`[data-testid="latency-empty"]`).Length() != 1 || text(doc.Find(`[data-testid="uptime-summary"]`)) != "No runs in the last 30 days." {
		t.Error("a check without runs does not say so")
	}
}

// TestCheckPageChallengeParams shows the parsed challenge, escaped.
func TestCheckPageChallengeParams(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/checks/api-bearer"))
	params := doc.Find(`[data-testid="run"]`).First().Find(`[data-testid="probe"][data-kind="missing"] [data-testid="challenge-params"]`)
	if s := spaced(params); s != "Scheme Bearer realm "+xss {
		t.Errorf("parsed challenge %q", s)
	}
}

// TestExplainCatalogue: every id of the catalogue, A0 and sub-ids have a
// reference and a line; unknown ids have none.
func TestExplainCatalogue(t *testing.T) {
	var ids []string
	for _, c := range checks.Catalogue() {
		ids = append(ids, c.ID)
	}
	ids = append(ids, "A0", "C1.challenge", "A4.30", "B9.expiry", "B9.alg.none", "A2.body")
	for _, id := range ids {
		e, ok := explain(id)
		if !ok || e.Ref == "" || len(e.Text) < 20 || !strings.HasSuffix(e.Text, ".") {
			t.Errorf("%s: %+v, %v", id, e, ok)
		}
	}
	for _, id := range []string{"", "Z9", "C", "C99", "B1x", ".B1"} {
		if e, ok := explain(id); ok {
			t.Errorf("%q explained as %+v", id, e)
		}
	}
	if explainText("B9.alg.none") != explainText("B9.alg") || assertionRef("B1", "mine") != "mine" || assertionRef("Q1", "") != "—" {
		t.Error("sub-id or ref fallback wrong")
	}
}

// TestExplanationsAreTheCatalogue: the dashboard explains every id, sub-ids
// included, with the catalogue's own reference and line, not a copy.
func TestExplanationsAreTheCatalogue(t *testing.T) {
	for _, c := range checks.Catalogue() {
		id := c.ID
		if id == "A4.N" {
			id = "A4.30"
		}
		e, ok := explain(id)
		if !ok || e.Ref != c.Ref || e.Text != c.Explain {
			t.Errorf("%s: dashboard says %+v, catalogue %q %q", id, e, c.Ref, c.Explain)
		}
	}
}

// TestCheckPageShowsRunHealth (items 10 and 11): the check page shows the
// check's skipped runs and the failed-login budget of the accounts it
// names, and a skipped probe says why it was not sent.
func TestCheckPageShowsRunHealth(t *testing.T) {
	skippedProbe := basicRun(t0.Add(time.Minute))
	for i, p := range skippedProbe.Probes {
		if p.Kind == checks.ProbeWrong {
			skippedProbe.Probes[i] = checks.ProbeResult{Kind: checks.ProbeWrong, Method: "GET", URL: "http://127.0.0.1:8081/basic",
				Skipped: `skipped: failed-login budget for user "monitor" exhausted, 20/20 in the last hour, resets at 12:40:00 UTC`, Assertions: []checks.Assertion{}}
		}
	}
	s := historyStore(t, 3, skippedProbe)
	resets := t0.Add(40 * time.Minute)
	h := New(Deps{Store: s, Checks: fixed(testChecks()), Now: func() time.Time { return t0 },
		Skipped: func(check string) SkippedRuns {
			if check != "api-basic" {
				return SkippedRuns{Since: t0.Add(-time.Hour)}
			}
			return SkippedRuns{Count: 6, Last: t0.Add(-time.Minute), Reason: "still_running", Since: t0.Add(-time.Hour)}
		},
		Budgets: func(_ context.Context, ch checks.Check) ([]checks.BudgetState, error) {
			var out []checks.BudgetState
			for _, a := range checks.BudgetAccounts(ch) {
				out = append(out, checks.BudgetState{Account: a, Used: 20, Limit: checks.LoginLimit{Max: 20, Window: time.Hour}, Resets: resets})
			}
			return out, nil
		}})
	doc := parse(t, get(t, h, "/checks/api-basic"))
	if got := doc.Find(`[data-testid="skipped-runs"]`).Text(); !strings.Contains(got, "6 scheduled runs skipped") ||
		!strings.Contains(got, "the previous run was still going") {
		t.Errorf("skipped runs: %q", got)
	}
	b := doc.Find(`[data-testid="budget"][data-account="monitor"]`).Text()
	if !strings.Contains(b, "exhausted, 20/20 in the last hour: its probes are skipped until "+fmtTime(resets)) {
		t.Errorf("budget: %q", b)
	}
	// The newest run passed: its summary says the probe was not sent, its
	// evidence page says why.
	if got := probeMarks(doc.Find(`[data-testid="run"]`).First()); !strings.HasSuffix(got, "|✔ wrong not sent") {
		t.Errorf("skipped probe in the run's summary: %q", got)
	}
	ev := parse(t, get(t, h, doc.Find(`[data-testid="evidence-link"]`).First().AttrOr("href", "")))
	wrong := ev.Find(`[data-testid="probe"][data-kind="wrong"]`).First()
	if got := wrong.Find(`[data-testid="skipped"]`).Text(); !strings.Contains(got, `failed-login budget for user "monitor" exhausted`) ||
		!strings.Contains(wrong.Find(`[data-testid="status"]`).Text(), "not sent") {
		t.Errorf("skipped probe: %q", wrong.Text())
	}
	if api := get(t, h, "/api/v1/checks/api-basic/runs?limit=1").Body.String(); !strings.Contains(api,
		`"skipped":"skipped: failed-login budget for user \"monitor\" exhausted`) {
		t.Errorf("the API does not say why the probe was skipped: %s", api)
	}
	other := parse(t, get(t, h, "/checks/api-bearer"))
	if got := other.Find(`[data-testid="skipped-runs"]`).Text(); !strings.Contains(got, "No scheduled run skipped") ||
		other.Find(`[data-testid="no-budget"]`).Length() != 1 {
		t.Errorf("bearer check: %q", other.Find(`[data-testid="run-health"]`).Text())
	}
}
