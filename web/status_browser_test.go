package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// TestBrowserStatusPage opens the status page in a real browser at desktop
// and phone width, with 90 days of history behind it, then posts an update
// through the admin page's form, without JavaScript's help, and finds it
// on the public page.
func TestBrowserStatusPage(t *testing.T) {
	began := time.Now()
	st := statusHistoryStore(t)
	t.Logf("90 days of history recorded in %s", time.Since(began))
	comps := []StatusComponent{
		{Name: "Sign-in", Description: "Logging in to the web app and the mobile apps", Checks: []string{"seed-0000"}},
		{Name: "Public API", Description: "Tokens and requests of integrations", Checks: []string{"seed-0001"}},
		{Name: "Payments", Checks: []string{"seed-0002"}},
	}
	page := NewStatusPage("Acme status", 30*time.Second, comps, st)
	srv := httptest.NewServer(New(Deps{Store: st, Checks: fixed(testChecks()), Now: func() time.Time { return t0 },
		StatusPage: page}))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 30*time.Second)
	defer cancel()
	postUpdateInBrowser(t, ctx, srv.URL)
	for _, vp := range []viewport{desktop, phone} {
		browseStatus(t, ctx, srv.URL, vp)
	}
	dark := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(desktop.width, desktop.height), dark,
		chromedp.Navigate(srv.URL+"/status")); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "status-page-dark.png")
}

func browseStatus(t *testing.T, ctx context.Context, base string, vp viewport) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(base+"/status")); err != nil {
		t.Fatal(err)
	}
	body := visibleText(t, ctx)
	for _, want := range []string{"Acme status", "Some systems are degraded", "Sign-in", "Operational", "Public API",
		"Degraded", "Payments", "uptime", "Today", "Investigating", "Requests with API tokens are refused",
		"Resolved", "Card payments failed"} {
		if !shows(body, want) {
			t.Errorf("%spx status page lacks %q", vp.name, want)
		}
	}
	scripts := evalInt(t, ctx, `document.querySelectorAll("script").length`)
	bars := evalInt(t, ctx, `[...document.querySelectorAll(".days")[0].children].filter(e => e.offsetWidth > 0).length`)
	overflow := evalInt(t, ctx, `document.documentElement.scrollWidth - window.innerWidth`)
	wantBars := map[string]int{"1280": 90, "375": 30}[vp.name]
	if scripts != 0 || bars != wantBars || overflow > 0 {
		t.Errorf("%spx: %d scripts, %d day bars shown (want %d), %dpx wider than the screen", vp.name, scripts, bars, wantBars, overflow)
	}
	name := "status-page.png"
	if vp != desktop {
		name = "status-page-" + vp.name + ".png"
	}
	screenshot(t, ctx, name)
}

// postUpdateInBrowser writes a note with the admin page's form.
func postUpdateInBrowser(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	text := "Requests with API tokens are refused since 11:40 UTC. We are looking into it."
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(desktop.width, desktop.height),
		chromedp.Navigate(base+"/status-admin"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="note-component"]`), "Public API"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="note-body"]`), text),
		chromedp.Click(chromedp.CSS(`[data-testid="note-submit"]`))); err != nil {
		t.Fatal(err)
	}
	// The post answers with a redirect back to the admin page: wait for it
	// to list two updates (a bounded wait; the test's context has a deadline).
	// An evaluation may fail while the page is being replaced: try again.
	count := chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="admin-note"]').length`)
	for i := 0; ; i++ {
		if n, err := chromedp.Run(ctx, count); err == nil && n >= 2 {
			break
		}
		if i == 100 {
			t.Fatal("the posted update never appeared on the admin page")
		}
		time.Sleep(50 * time.Millisecond)
	}
	body := visibleText(t, ctx)
	if !shows(body, text) || !shows(body, "anonymous") {
		t.Errorf("the admin page does not list the update with its author:\n%s", body)
	}
	screenshot(t, ctx, "status-admin.png")
}

// statusHistoryStore seeds 90 days of history for three checks, seed-0000
// to seed-0002, a run every 80 s with one failed run a day (a blip, under
// 0.1 %), then records as the scheduler does the failures of a few bad days
// and the runs of the last hour: seed-0001 has failed a critical
// assertion since 11:40 today. Payments had an outage a week ago, with a
// note.
func statusHistoryStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "authmon.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pass := func(check string, at time.Time) checks.Result {
		res := flakyRun(at, true)
		res.Check = check
		return res
	}
	if err := st.SeedHistory(ctx, 3, statusDays, 80*time.Second, t0.Add(-time.Hour), pass); err != nil {
		t.Fatal(err)
	}
	start := t0.Truncate(24*time.Hour).AddDate(0, 0, -(statusDays - 1))
	var runs []checks.Result
	for _, bad := range []struct {
		check       string
		day, failed int
	}{{"seed-0000", 61, 8}, {"seed-0000", 74, 40}, {"seed-0001", 30, 5}, {"seed-0002", 39, 3}, {"seed-0002", 82, 300}} {
		for i := range bad.failed {
			res := flakyRun(start.AddDate(0, 0, bad.day).Add(time.Duration(i)*time.Minute+30*time.Second), false)
			res.Check = bad.check
			runs = append(runs, res)
		}
	}
	for at := t0.Add(-59 * time.Minute); !at.After(t0); at = at.Add(time.Minute) {
		for i := range 3 {
			res := pass(fmt.Sprintf("seed-%04d", i), at)
			if i == 1 && at.After(t0.Add(-21*time.Minute)) {
				res = bearerRun(at)
				res.Check = "seed-0001"
			}
			runs = append(runs, res)
		}
	}
	recordInOrder(t, st, runs)
	if _, err := st.AddStatusNote(ctx, store.StatusNote{Created: t0.AddDate(0, 0, -7).Add(-6 * time.Hour), Author: "alice",
		Component: "Payments", Phase: "resolved",
		Body: "Card payments failed between 00:00 and 05:00 UTC after a certificate change at our provider. All payments were retried."}); err != nil {
		t.Fatal(err)
	}
	return st
}

// recordInOrder records runs one after the other, as one check's scheduler
// would, deciding alerts as it goes.
func recordInOrder(t *testing.T, st *store.Store, runs []checks.Result) {
	t.Helper()
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	for _, r := range runs {
		if _, _, err := st.RecordRun(context.Background(), r, eval); err != nil {
			t.Fatalf("%s at %s: %v", r.Check, r.Started, err)
		}
	}
}

func evalInt(t *testing.T, ctx context.Context, expr string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return n
}
