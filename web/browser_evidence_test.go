package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// TestBrowserEvidenceOnDemand: a run's evidence is not in the check page;
// opening it loads it in place, at both widths, and a live refresh keeps it
// open and filled.
func TestBrowserEvidenceOnDemand(t *testing.T) {
	s := historyStore(t, 120)
	srv := httptest.NewServer(historyHandler(t, s))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 20*time.Second)
	defer cancel()
	failed := `#run-115` // every tenth run failed; the newest (120) passed
	for _, vp := range []viewport{desktop, phone} {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/checks/api-basic"),
			chromedp.WaitVisible(chromedp.CSS(failed))), "open the check page")
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="probe"]').length`))
		must(t, err, "count evidence")
		if n != 0 {
			t.Errorf("%spx: %d probes of evidence before any is opened", vp.name, n)
		}
		body := visibleText(t, ctx)
		if !shows(body, "✖ missing 200") || !shows(body, "missing · B1 ok: 401") {
			t.Errorf("%spx: the failed run's summary is not shown: %.300s", vp.name, body)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(failed+`-evidence > summary`)),
			chromedp.WaitVisible(chromedp.CSS(failed+` [data-testid="probe"][data-kind="missing"] [data-testid="assertions"]`))), "open the evidence")
		if got := visibleText(t, ctx); !shows(got, "Without credentials the endpoint must refuse") {
			t.Errorf("%spx: the loaded evidence lacks the assertion's explanation", vp.name)
		}
		screenshot(t, ctx, "check-evidence-"+vp.name+".png")
	}
	// live.js swaps in a fresh page on the next run; the open evidence stays.
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	_, _, err := s.RecordRun(context.Background(), basicRun(t0.Add(time.Minute)), eval)
	must(t, err, "record a run")
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-run="121"]`)),
		chromedp.WaitVisible(chromedp.CSS(failed+` [data-testid="probe"]`))), "the evidence stays after a refresh")
}

// TestBrowserEvidenceNoScript: without JavaScript a run's evidence is a link
// to its own page, which shows it all.
func TestBrowserEvidenceNoScript(t *testing.T) {
	srv := httptest.NewServer(historyHandler(t, historyStore(t, 120)))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 15*time.Second)
	defer cancel()
	noJS := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	for _, vp := range []viewport{desktop, phone} {
		must(t, chromedp.Do(ctx, noJS, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/checks/api-basic"),
			chromedp.Click(chromedp.CSS(`#run-115-evidence > summary`)),
			chromedp.Click(chromedp.CSS(`#run-115 [data-testid="evidence-link"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="evidence-title"]`))), "follow the evidence link")
		body := visibleText(t, ctx)
		for _, want := range []string{"Run #115 of api-basic", "✖ missing 200", "Without credentials the endpoint must refuse", "Back to api-basic"} {
			if !shows(body, want) {
				t.Errorf("%spx evidence page lacks %q", vp.name, want)
			}
		}
		if strings.Contains(body, "Uptime per day") {
			t.Errorf("%spx: the evidence page is the check page", vp.name)
		}
		screenshot(t, ctx, "evidence-"+vp.name+".png")
	}
}

// TestBrowserAssertionTableFits: no cell of the assertion table spills into
// the next at either width: the long reference of A4.30
// ("RFC 5280 §4.1.2.5; RFC 9110 §17.16.1") ran into Severity.
func TestBrowserAssertionTableFits(t *testing.T) {
	srv := httptest.NewServer(historyHandler(t, historyStore(t, 0, evidenceRun(t0.Add(-time.Minute)))))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 15*time.Second)
	defer cancel()
	for _, vp := range []viewport{desktop, phone} {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/checks/api-basic"),
			chromedp.WaitVisible(chromedp.CSS(`[data-id="A4.30"]`))), "open the check page")
		spill, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".assertions td"))
			.filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.dataset.label + ": " + td.textContent.trim())`))
		must(t, err, "measure the cells")
		if len(spill) > 0 {
			t.Errorf("%spx: cells wider than their column: %q", vp.name, spill)
		}
		if vp == desktop {
			screenshot(t, ctx, "check-assertions-1280.png")
		}
	}
}
