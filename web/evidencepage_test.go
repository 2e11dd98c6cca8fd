package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// getEvidence asks for a run's evidence as a page, or as the check page's
// script does (HX-Request) for the fragment; it fails on the canary secret.
func getEvidence(t *testing.T, h http.Handler, path string, hx bool) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if strings.Contains(rec.Body.String(), canary) {
		t.Errorf("GET %s: response contains the canary secret", path)
	}
	return rec
}

// TestCheckPageLeavesEvidenceOut: fifty runs are listed as summaries (each
// probe's status, the failed assertions' reasons) and no run's evidence is
// in the page while the newest run passed, so the page stays small.
func TestCheckPageLeavesEvidenceOut(t *testing.T) {
	h := historyHandler(t, historyStore(t, 120))
	rec := get(t, h, "/checks/api-basic")
	doc := parse(t, rec)
	if n := doc.Find(`[data-testid="probe"], [data-testid="assertion"], [data-testid="body"]`).Length(); n != 0 {
		t.Errorf("%d elements of evidence in the check page, want none", n)
	}
	runs := doc.Find(`[data-testid="run"]`)
	if runs.Length() != 50 {
		t.Fatalf("%d runs listed, want 50", runs.Length())
	}
	// The newest run passed; the one five minutes earlier failed its
	// missing probe (historyStore fails every tenth).
	if got := probeMarks(runs.First()); got != "✔ valid 200|✔ missing 401|✔ wrong 401" {
		t.Errorf("newest run's probes: %q", got)
	}
	failed := runs.Eq(5)
	if got := probeMarks(failed); got != "✔ valid 200|✖ missing 200|✔ wrong 401" {
		t.Errorf("failed run's probes: %q", got)
	}
	if got := text(failed.Find(`[data-testid="run-reasons"]`)); got != "missing · B1 ok: 401" {
		t.Errorf("failed run's reasons: %q", got)
	}
	if runs.First().Find(`[data-testid="run-reasons"]`).Length() != 0 {
		t.Error("a passing run lists reasons")
	}
	// A run's summary is about 1 KB of HTML; its evidence was 4–8 KB even
	// for these small fixture probes, and 20 KB and more for real ones.
	if html, _ := goquery.OuterHtml(doc.Find(`[data-testid="runs"]`)); len(html)/50 > 1500 {
		t.Errorf("the runs take %d bytes of HTML a run", len(html)/50)
	}
}

// probeMarks lists a run summary's probes, "|"-separated.
func probeMarks(run *goquery.Selection) string {
	return strings.Join(run.Find(`[data-testid="run-probe"]`).Map(func(_ int, s *goquery.Selection) string { return text(s) }), "|")
}

// TestCheckPageInlinesNewestFailure: the evidence of the newest run stays in
// the page when that run failed, open; no other run's does.
func TestCheckPageInlinesNewestFailure(t *testing.T) {
	bad := basicRun(t0.Add(time.Minute))
	bad.Probes[2].Status, bad.Probes[2].Assertions[0].Pass = 200, false
	h := historyHandler(t, historyStore(t, 60, bad))
	doc := parse(t, get(t, h, "/checks/api-basic"))
	runs := doc.Find(`[data-testid="run"]`)
	inline := runs.First().Find(`[data-testid="run-evidence"][open] [data-testid="probe"]`)
	if inline.Length() != 3 || runs.First().Find(`[data-evidence]`).Length() != 0 {
		t.Errorf("newest failed run: %d probes of evidence inline, want 3 and no fetch", inline.Length())
	}
	if n := doc.Find(`[data-testid="probe"]`).Length(); n != 3 {
		t.Errorf("%d probes of evidence in the page, want the newest run's 3", n)
	}
	// Older pages never inline: their newest run is not the check's.
	older := parse(t, get(t, h, doc.Find(`[data-testid="older-runs"]`).AttrOr("href", "")))
	if n := older.Find(`[data-testid="probe"]`).Length(); n != 0 {
		t.Errorf("older page: %d probes of evidence inline", n)
	}
}

// TestEvidenceRoute serves one run's evidence: a page of its own without
// JavaScript, the fragment alone when the check page asks for it, cacheable,
// and 404 for a run that is not the check's.
func TestEvidenceRoute(t *testing.T) {
	h := historyHandler(t, historyStore(t, 12, keyRun(t0.Add(time.Minute), 200)))
	doc := parse(t, get(t, h, "/checks/api-basic"))
	failed := doc.Find(`[data-testid="run"]`).Eq(5)
	href := failed.Find(`[data-testid="evidence-link"]`).AttrOr("href", "")
	if want := "/checks/api-basic/runs/" + failed.AttrOr("data-run", "?") + "/evidence"; href != want ||
		failed.Find(`[data-evidence]`).AttrOr("data-evidence", "") != want {
		t.Fatalf("evidence link %q, want %q", href, want)
	}
	rec := getEvidence(t, h, href, false)
	page := parse(t, rec)
	if rec.Code != http.StatusOK || page.Find(`[data-testid="evidence-title"]`).Length() != 1 || page.Find("header.site-header").Length() != 1 {
		t.Fatalf("evidence page: %d, title %q", rec.Code, text(page.Find("h1")))
	}
	row := page.Find(`[data-testid="probe"][data-kind="missing"] [data-testid="assertion"][data-pass="false"]`)
	if row.AttrOr("data-id", "") != "B1" || page.Find(`[data-testid="probe"]`).Length() != 3 {
		t.Errorf("evidence page: failed assertion %q, %d probes", row.AttrOr("data-id", ""), page.Find(`[data-testid="probe"]`).Length())
	}
	if got := text(page.Find(`[data-testid="run-reasons"]`)); got != "missing · B1 ok: 401" {
		t.Errorf("evidence page: reasons %q", got)
	}
	if got := page.Find(`[data-testid="back-to-check"]`).AttrOr("href", ""); got != "/checks/api-basic#run-"+failed.AttrOr("data-run", "") {
		t.Errorf("back link %q", got)
	}
	frag := getEvidence(t, h, href, true)
	body := frag.Body.String()
	if frag.Code != http.StatusOK || strings.Contains(body, "<html") || strings.Contains(body, "site-header") ||
		strings.Count(body, `data-testid="probe"`) != 3 {
		t.Errorf("fragment: %d, %d bytes: %.200s", frag.Code, len(body), body)
	}
	for _, rec := range []*httptest.ResponseRecorder{rec, frag} {
		if cc, vary := rec.Header().Get("Cache-Control"), rec.Header().Values("Vary"); cc != "private, max-age=3600" ||
			!strings.Contains(strings.Join(vary, ","), "HX-Request") {
			t.Errorf("Cache-Control %q, Vary %q", cc, vary)
		}
	}
	keyID := parse(t, get(t, h, "/checks/api-key")).Find(`[data-testid="run"]`).First().AttrOr("data-run", "")
	for _, path := range []string{"/checks/api-basic/runs/" + keyID + "/evidence", "/checks/api-basic/runs/999999/evidence",
		"/checks/api-basic/runs/x/evidence", "/checks/api-basic/runs/-1/evidence", "/checks/nope/runs/1/evidence"} {
		if rec := getEvidence(t, h, path, true); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}
}

// TestEvidenceRouteStoreError answers 500 without the error's text.
func TestEvidenceRouteStoreError(t *testing.T) {
	h := New(Deps{Store: brokenStore{}, Checks: fixed(testChecks())})
	rec := getEvidence(t, h, "/checks/api-basic/runs/1/evidence", false)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), errBroken.Error()) {
		t.Errorf("status %d, body %q", rec.Code, rec.Body.String())
	}
}
