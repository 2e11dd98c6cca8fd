package web

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFleet follows the navigation to the fleet page of a fleet of
// three instances, at desktop and phone width, then opens a check's page
// with its verdict per location, keeping a screenshot of each.
func TestBrowserFleet(t *testing.T) {
	srv := httptest.NewServer(newFleetHandler(t, standing()))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, browserWait)
	defer cancel()
	for _, vp := range []viewport{desktop, phone} {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/")), "overview")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="nav-fleet"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="fleet-matrix"]`))), "fleet page")
		body := visibleText(t, ctx)
		for _, want := range []string{"This instance", "mon-eu-1", "✔ claiming", "The fleet runs config a1b2c3d4e5f6",
			"⚠ not the fleet's", "no: config differs from the fleet's", "… gone", "Checks by location", "✖ failing B1",
			"… stale", "mon-eu-1 until 2026-03-01 12:00:05 UTC"} {
			if !shows(body, want) {
				t.Errorf("%spx fleet page lacks %q", vp.name, want)
			}
		}
		screenshot(t, ctx, "fleet-"+vp.name+".png")

		must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/checks/api-basic"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="check-locations"]`))), "check page")
		body = visibleText(t, ctx)
		for _, want := range []string{"Locations", "us-east", "✖ failing B1", "missing · B1: without credentials", "mon-us-1"} {
			if !shows(body, want) {
				t.Errorf("%spx check page lacks %q", vp.name, want)
			}
		}
		screenshot(t, ctx, "check-locations-"+vp.name+".png")
	}
}
