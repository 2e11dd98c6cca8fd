package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// ovNow is when the overview fixture is looked at.
var ovNow = time.Date(2026, 4, 10, 12, 30, 0, 0, time.UTC)

// ovChecks are grouped checks of three kinds; idp-discovery never ran.
func ovChecks() []checks.Check {
	protected := func(kinds ...checks.ProbeKind) []checks.ProbeSpec {
		var ps []checks.ProbeSpec
		for _, k := range kinds {
			ps = append(ps, checks.ProbeSpec{Kind: k})
		}
		return ps
	}
	return []checks.Check{
		{Name: "pay-api", Group: "Payments", Method: "GET", URL: "https://pay.example/api",
			Probes: protected(checks.ProbeValid, checks.ProbeMissing, checks.ProbeWrong)},
		{Name: "pay-webhook", Group: "Payments", Method: "POST", URL: "https://pay.example/hook",
			Probes: protected(checks.ProbeMissing)},
		{Name: "idp-login", Group: "Identity", Kind: checks.KindLogin, Method: "POST", URL: "https://idp.example/login",
			Probes: protected(checks.ProbeLogin, checks.ProbeLoginWrong)},
		{Name: "idp-discovery", Group: "Identity", Kind: checks.KindDiscovery, Method: "GET",
			URL: "https://idp.example/.well-known/openid-configuration", Probes: protected(checks.ProbeDiscovery, checks.ProbeJWKS)},
		{Name: "lonely", Method: "GET", URL: "https://lonely.example/", Probes: protected(checks.ProbeValid, checks.ProbeMissing)},
	}
}

// ovProbe is a probe with one assertion that passes, or fails for reason.
func ovProbe(kind checks.ProbeKind, reason string) checks.ProbeResult {
	a := checks.Assertion{ID: "B1", Severity: checks.SevCritical, Pass: reason == "", Expected: "401", Got: "401"}
	if reason != "" {
		a.Got, a.Reason = "200", reason
	}
	return checks.ProbeResult{Kind: kind, Method: "GET", URL: "https://x.example/", Status: 401, Assertions: []checks.Assertion{a}}
}

func ovRun(check string, ago time.Duration, took time.Duration, probes ...checks.ProbeResult) checks.Result {
	return checks.Result{Check: check, Started: ovNow.Add(-ago), Duration: took, Probes: probes}
}

const bypass = "without credentials: expected 401, got 200 OK: auth bypass"

// ovRuns: pay-api failed 10 days and 90 minutes ago and passes now (24 h:
// 2 of 3, 7 d: 3 of 4, 30 d: 3 of 5); pay-webhook and idp-login fail now.
func ovRuns() []checks.Result {
	valid, wrong := ovProbe(checks.ProbeValid, ""), ovProbe(checks.ProbeWrong, "")
	pass, fail := ovProbe(checks.ProbeMissing, ""), ovProbe(checks.ProbeMissing, bypass)
	return []checks.Result{
		ovRun("pay-api", 10*24*time.Hour, 4*time.Millisecond, valid, fail, wrong),
		ovRun("pay-api", 3*24*time.Hour, 4*time.Millisecond, valid, pass, wrong),
		ovRun("pay-api", 2*time.Hour, 4*time.Millisecond, valid, pass, wrong),
		ovRun("pay-api", 90*time.Minute, 80*time.Millisecond, valid, fail, wrong),
		ovRun("pay-webhook", 20*time.Minute, 6*time.Millisecond, fail),
		ovRun("pay-api", 30*time.Minute, 4*time.Millisecond, valid, pass, wrong),
		ovRun("idp-login", 5*time.Minute, 9*time.Millisecond, ovProbe(checks.ProbeLogin, ""),
			ovProbe(checks.ProbeLoginWrong, "login with a wrong password: expected 401, got 200 OK")),
		ovRun("lonely", time.Minute, 2*time.Millisecond, ovProbe(checks.ProbeValid, ""), pass),
	}
}

// ovHandler serves a real store holding runs, recorded as the scheduler
// records them (through alert.Decide), and the checks list.
func ovHandler(t *testing.T, list []checks.Check, runs []checks.Result) http.Handler {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "overview.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	for _, res := range runs {
		if _, _, err := s.RecordRun(ctx, res, eval); err != nil {
			t.Fatal(err)
		}
	}
	return New(Deps{Store: s, Checks: fixed(list), Now: func() time.Time { return ovNow }})
}

func ovPage(t *testing.T, h http.Handler, target string) *goquery.Document {
	t.Helper()
	rec := get(t, h, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d", target, rec.Code)
	}
	return parse(t, rec)
}

// rowNames lists the check rows by group: "Identity: idp-login, idp-discovery".
func rowNames(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="group"]`).Each(func(_ int, g *goquery.Selection) {
		var names []string
		g.Find(`[data-testid="check-row"]`).Each(func(_ int, r *goquery.Selection) {
			names = append(names, r.AttrOr("data-check", ""))
		})
		out = append(out, g.AttrOr("data-group", "")+": "+strings.Join(names, ", "))
	})
	return out
}

func TestOverviewGroups(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	doc := ovPage(t, h, "/")
	want := []string{ // groups with failing checks first, by name, ungrouped last; open incidents, then failing, then by name
		"Identity: idp-login, idp-discovery",
		"Payments: pay-webhook, pay-api",
		"Ungrouped: lonely",
	}
	if got := rowNames(doc); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pay := doc.Find(`[data-group="Payments"]`)
	if href := pay.Find(`[data-testid="group-link"]`).AttrOr("href", ""); href != "/?group=Payments" {
		t.Errorf("group link %q", href)
	}
	if c := text(pay.Find(".group-head .count")); c != "2 checks: 1 passing, 1 failing" {
		t.Errorf("group count %q", c)
	}
	if c := text(doc.Find(`[data-testid="count"]`)); c != "5 checks: 2 passing, 2 failing, 1 pending" {
		t.Errorf("count %q", c)
	}
	// Every state is a word and an icon, never a colour alone.
	doc.Find(`[data-testid="check-row"]`).Each(func(_ int, r *goquery.Selection) {
		st := r.AttrOr("data-state", "")
		if got := text(r.Find(`[data-testid="state"]`)); got != state(st).icon()+" "+st {
			t.Errorf("%s: state badge %q", r.AttrOr("data-check", ""), got)
		}
	})
}

func TestOverviewFilters(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	for _, tc := range []struct {
		target string
		rows   []string
		listed string // the "(n of 5 checks shown)" note
	}{
		{"/?state=failing", []string{"Identity: idp-login", "Payments: pay-webhook"}, "(2 of 5 checks shown)"},
		{"/?state=passing", []string{"Payments: pay-api", "Ungrouped: lonely"}, "(2 of 5 checks shown)"},
		{"/?state=pending", []string{"Identity: idp-discovery"}, "(1 of 5 checks shown)"},
		{"/?group=Payments", []string{"Payments: pay-webhook, pay-api"}, "(2 of 5 checks shown)"},
		{"/?group=Ungrouped", []string{"Ungrouped: lonely"}, "(1 of 5 checks shown)"},
		{"/?state=failing&group=Payments", []string{"Payments: pay-webhook"}, "(1 of 5 checks shown)"},
		{"/?group=Payments&state=passing", []string{"Payments: pay-api"}, "(1 of 5 checks shown)"},
	} {
		doc := ovPage(t, h, tc.target)
		if got := rowNames(doc); strings.Join(got, "|") != strings.Join(tc.rows, "|") {
			t.Errorf("GET %s: rows %q, want %q", tc.target, got, tc.rows)
		}
		if got := text(doc.Find(`[data-testid="listed"]`)); got != tc.listed {
			t.Errorf("GET %s: listed %q, want %q", tc.target, got, tc.listed)
		}
	}

	doc := ovPage(t, h, "/?state=failing&group=Payments")
	current := doc.Find(`.state-filter [aria-current="page"]`)
	if current.Length() != 1 || current.AttrOr("data-testid", "") != "filter-state-failing" {
		t.Errorf("current state link: %d, %q", current.Length(), current.AttrOr("data-testid", ""))
	}
	// State links keep the group; counts are within it.
	wantLinks := map[string]string{
		"filter-state-all": "/?group=Payments", "filter-state-failing": "/?group=Payments&state=failing",
		"filter-state-passing": "/?group=Payments&state=passing", "filter-state-pending": "/?group=Payments&state=pending",
	}
	for id, href := range wantLinks {
		if got := doc.Find(`[data-testid="`+id+`"]`).AttrOr("href", ""); got != href {
			t.Errorf("%s href %q, want %q", id, got, href)
		}
	}
	if n := text(doc.Find(`[data-testid="filter-state-all"] .n`)); n != "2" {
		t.Errorf("all count within Payments = %q", n)
	}
	// The group form is a plain GET that keeps the state.
	form := doc.Find(`[data-testid="group-filter"]`)
	if form.AttrOr("method", "") != "get" || form.AttrOr("action", "") != "/" ||
		form.Find(`input[name="state"]`).AttrOr("value", "") != "failing" {
		t.Errorf("group form: %s", form.Text())
	}
	var options []string
	form.Find("option").Each(func(_ int, o *goquery.Selection) {
		sel := ""
		if _, ok := o.Attr("selected"); ok {
			sel = "*"
		}
		options = append(options, sel+o.AttrOr("value", "")+"="+text(o))
	})
	if got := strings.Join(options, "; "); got != "=All groups; Identity=Identity (2); *Payments=Payments (2); Ungrouped=Ungrouped (1)" {
		t.Errorf("group options: %s", got)
	}

	// An unknown group matches nothing; an unknown state is said and ignored.
	doc = ovPage(t, h, "/?group=Nope")
	if doc.Find(`[data-testid="check-row"]`).Length() != 0 || doc.Find(`[data-testid="no-match"]`).Length() != 1 {
		t.Error("unknown group: want no rows and the no-match note")
	}
	doc = ovPage(t, h, "/?state=broken")
	if n := doc.Find(`[data-testid="check-row"]`).Length(); n != 5 {
		t.Errorf("unknown state: %d rows, want all 5", n)
	}
	if note := text(doc.Find(`[data-testid="filter-note"]`)); !strings.Contains(note, `Unknown state "broken"`) {
		t.Errorf("filter note %q", note)
	}
}

// TestOverviewMatrix: the columns are the kinds the listed checks use, in
// matrix order; each cell says pass, fail, pending or n/a in words, with a
// title giving the reason.
func TestOverviewMatrix(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	kinds := func(doc *goquery.Document) string {
		return strings.Join(doc.Find(`[data-testid="matrix-kind"]`).Map(func(_ int, s *goquery.Selection) string { return text(s) }), ",")
	}
	doc := ovPage(t, h, "/")
	if got := kinds(doc); got != "valid,missing,wrong,login,login_wrong,discovery,jwks" {
		t.Fatalf("columns %s", got)
	}
	if got := kinds(ovPage(t, h, "/?group=Payments")); got != "valid,missing,wrong" {
		t.Errorf("Payments columns %s", got)
	}
	cell := func(check, kind string) *goquery.Selection {
		return doc.Find(`[data-check="` + check + `"] [data-testid="probe-` + kind + `"]`)
	}
	// The strip's marks are icons; the label and the title say it in words.
	// A probe the check does not run has no mark.
	for _, tc := range []struct{ check, kind, mark, text, title string }{
		{"pay-api", "valid", "pass", "✔", "passed with valid credentials"},
		{"pay-webhook", "missing", "fail", "✖", "failed without credentials:\n" + bypass},
		{"idp-login", "login", "pass", "✔", "passed login with good credentials"},
		{"idp-login", "login_wrong", "fail", "✖", "failed login with a wrong password:\nlogin with a wrong password: expected 401, got 200 OK"},
		{"idp-discovery", "jwks", "pending", "…", "jwks: no result yet"},
	} {
		c := cell(tc.check, tc.kind)
		got := [4]string{c.AttrOr("data-mark", ""), text(c), c.AttrOr("title", ""), c.AttrOr("aria-label", "")}
		if want := [4]string{tc.mark, tc.text, tc.title, tc.kind + ": " + tc.mark}; got != want {
			t.Errorf("%s/%s = %q, want %q", tc.check, tc.kind, got, want)
		}
		if c.AttrOr("role", "") != "img" {
			t.Errorf("%s/%s mark has no img role", tc.check, tc.kind)
		}
	}
	for _, c := range [][2]string{{"pay-api", "login"}, {"pay-webhook", "valid"}, {"lonely", "wrong"}} {
		if cell(c[0], c[1]).Length() != 0 {
			t.Errorf("%s has a mark for %s, which it does not run", c[0], c[1])
		}
	}
	marks := doc.Find(`tr[data-check="idp-login"] [data-testid="probes"] .mk`).Map(func(_ int, s *goquery.Selection) string {
		return s.AttrOr("data-mark", "")
	})
	if strings.Join(marks, ",") != "pass,fail" {
		t.Errorf("idp-login strip %v, want its two probes in column order", marks)
	}
}

func TestOverviewUptime(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	doc := ovPage(t, h, "/")
	row := doc.Find(`[data-check="pay-api"]`)
	for id, want := range map[string][2]string{
		"uptime-24h": {"66.67 %", "2 of 3 runs passed in 24 h"},
		"uptime-7d":  {"75.00 %", "3 of 4 runs passed in 7 d"},
		"uptime-30d": {"60.00 %", "3 of 5 runs passed in 30 d"},
	} {
		c := row.Find(`[data-testid="` + id + `"]`)
		if got := [2]string{text(c), c.AttrOr("title", "")}; got != want {
			t.Errorf("pay-api %s = %q, want %q", id, got, want)
		}
	}
	if p95 := text(row.Find(`[data-testid="p95"]`)); p95 != "100 ms" { // the 80 ms run, in the 70-100 ms bucket
		t.Errorf("pay-api p95 %q, want 100 ms", p95)
	}
	pending := doc.Find(`[data-check="idp-discovery"]`)
	for _, id := range []string{"uptime-24h", "uptime-7d", "uptime-30d", "p95"} {
		if got := text(pending.Find(`[data-testid="` + id + `"]`)); got != "—" {
			t.Errorf("pending %s = %q, want —", id, got)
		}
	}
}

// TestOverviewSparkline: checks that ran have a well-formed SVG with a
// title in words and a mark under each hour with a failure.
func TestOverviewSparkline(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	rec := get(t, h, "/")
	doc := parse(t, rec)
	svg := doc.Find(`[data-check="pay-api"] [data-testid="sparkline"] svg`)
	if svg.Length() != 1 || svg.AttrOr("role", "") != "img" {
		t.Fatalf("pay-api sparkline: %d svg elements", svg.Length())
	}
	title := text(svg.Find("title"))
	if title != "last 24 h: p95 per hour 5.0 ms to 100 ms; failed runs in 1 of 24 hours; no runs in 21 hours" {
		t.Errorf("sparkline title %q", title)
	}
	if d := svg.Find(".spark-fail").AttrOr("d", ""); d != "M66 16h3v4h-3z" { // 90 minutes ago: hour 22 of 24
		t.Errorf("failure marks %q", d)
	}
	markup, _ := goquery.OuterHtml(svg)
	if err := xml.Unmarshal([]byte(markup), new(struct{})); err != nil {
		t.Errorf("sparkline is not well-formed: %v\n%s", err, markup)
	}
	if doc.Find(`[data-check="idp-discovery"] [data-testid="sparkline"] svg`).Length() != 0 {
		t.Error("a check that never ran has a sparkline")
	}
	if doc.Find(`svg.spark`).Length() != 4 {
		t.Errorf("%d sparklines, want 4", doc.Find(`svg.spark`).Length())
	}
}

// TestOverviewOpenIncidentsFirst: the open incidents panel comes before the
// table, worst first, and follows the filter.
func TestOverviewOpenIncidentsFirst(t *testing.T) {
	h := ovHandler(t, ovChecks(), ovRuns())
	rec := get(t, h, "/")
	body := rec.Body.String()
	if p, tbl := strings.Index(body, `data-testid="open-incidents"`), strings.Index(body, `data-testid="checks"`); p < 0 || tbl < 0 || p > tbl {
		t.Fatalf("open incidents panel at %d, table at %d", p, tbl)
	}
	names := func(doc *goquery.Document) string {
		return strings.Join(doc.Find(`[data-testid="open-incident"]`).Map(func(_ int, s *goquery.Selection) string {
			return s.AttrOr("data-check", "")
		}), ",")
	}
	if got := names(parse(t, rec)); got != "pay-webhook,idp-login" { // same severity: the longest open first
		t.Errorf("open incidents %s", got)
	}
	if got := names(ovPage(t, h, "/?group=Identity")); got != "idp-login" {
		t.Errorf("Identity's open incidents %s", got)
	}
	if ovPage(t, h, "/?group=Ungrouped").Find(`[data-testid="open-incidents"]`).Length() != 0 {
		t.Error("a group without incidents shows the panel")
	}
}

// TestOverviewEscapes: names and groups from the config and reasons from a
// target are text wherever they appear: rows, group headings, the picker,
// attributes, titles.
func TestOverviewEscapes(t *testing.T) {
	list := []checks.Check{{Name: `<i>"x"</i>`, Group: `<b>'g'</b>` + xss, Method: "GET", URL: "https://x.example/",
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeMissing}}}}
	runs := []checks.Result{ovRun(list[0].Name, time.Minute, time.Millisecond, ovProbe(checks.ProbeMissing, "got "+xss))}
	h := ovHandler(t, list, runs)
	for _, target := range []string{"/", "/?group=" + strings.ReplaceAll(list[0].Group, "<", "%3C")} {
		rec := get(t, h, target)
		body := rec.Body.String()
		for _, raw := range []string{xss, "<i>", "<b>"} {
			if strings.Contains(body, raw) {
				t.Errorf("GET %s: %q unescaped", target, raw)
			}
		}
		doc := parse(t, rec)
		if n := doc.Find(`i, b, script:not([src="/static/live.js"])`).Length(); n != 0 {
			t.Errorf("GET %s: %d injected elements", target, n)
		}
		row := doc.Find(`[data-testid="check-row"]`)
		if row.AttrOr("data-check", "") != list[0].Name || text(row.Find(`[data-testid="check-link"]`)) != list[0].Name {
			t.Errorf("GET %s: name not kept as text: %q", target, row.AttrOr("data-check", ""))
		}
		if title := row.Find(`[data-testid="probe-missing"]`).AttrOr("title", ""); !strings.HasSuffix(title, "got "+xss) {
			t.Errorf("GET %s: cell title %q", target, title)
		}
		if g := doc.Find(`[data-testid="group"]`).AttrOr("data-group", ""); g != list[0].Group {
			t.Errorf("GET %s: group %q", target, g)
		}
	}
}
