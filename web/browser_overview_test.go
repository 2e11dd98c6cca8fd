package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// wide is the third width the overview is looked at: a wall screen.
var wide = viewport{"1920", 1920, 1080}

// reasonsOffScreen is a script listing the failing checks whose reason is
// not inside the viewport, as "name: left,top,right,bottom".
const reasonsOffScreen = `(() => {
	const out = [];
	for (const row of document.querySelectorAll('tr[data-testid="check-row"][data-state="failing"]')) {
		const el = row.querySelector('[data-testid="reason"]');
		if (!el) { out.push(row.dataset.check + ": no reason"); continue; }
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight) {
			out.push(row.dataset.check + ": " + [r.left, r.top, r.right, r.bottom].map(Math.round).join(","));
		}
	}
	return out;
})()`

// failingReasonsOnScreen fails the test for every failing check whose
// reason is not inside the viewport, and when there is none to look at.
func failingReasonsOnScreen(t *testing.T, ctx context.Context, vp viewport, atLeast int) {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-state="failing"] [data-testid="reason"]').length`))
	must(t, err, "count the reasons")
	if n < atLeast {
		t.Fatalf("%spx: %d failing rows with a reason, want at least %d", vp.name, n, atLeast)
	}
	off, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](reasonsOffScreen))
	must(t, err, "measure the reasons")
	for _, o := range off {
		t.Errorf("%spx: reason outside the viewport: %s", vp.name, o)
	}
}

func setDark(dark bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v := "light"
		if dark {
			v = "dark"
		}
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}}})
		return err
	})
}

// TestBrowserOverviewReason: at 1,280 px, without scrolling, the reason of
// every failing check is inside the viewport, light and dark; the title and
// the favicon say the worst state. The overview is kept at 1,280, 1,920
// and 375 px, light and dark.
func TestBrowserOverviewReason(t *testing.T) {
	h, _ := newTestHandler(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 30*time.Second)
	defer cancel()
	for _, dark := range []bool{false, true} {
		for _, vp := range []viewport{desktop, wide, phone} {
			must(t, chromedp.Do(ctx, setDark(dark), chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/")), "open the overview")
			if vp != phone {
				failingReasonsOnScreen(t, ctx, vp, 2)
			}
			name := "overview-layout-" + vp.name
			if dark {
				name += "-dark"
			}
			screenshot(t, ctx, name+".png")
		}
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	must(t, err, "read the title")
	if title != "✖ 2 failing · authmon" {
		t.Errorf("title %q", title)
	}
	icon, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('link[rel="icon"]').href`))
	must(t, err, "read the favicon")
	if icon != srv.URL+"/static/favicon-failing.svg" {
		t.Errorf("favicon %q", icon)
	}
}

// TestBrowserOverviewThousand: at 1,000 checks the overview lists the
// failing ones on the first screen, reason in view, and links to the rest.
func TestBrowserOverviewThousand(t *testing.T) {
	list, runs := manyChecks(1000)
	for i := range runs {
		reason := ""
		if i%250 == 36 { // four failing checks, in four groups
			reason = bypass
		}
		runs[i] = ovRun(list[i].Name, time.Minute, time.Millisecond, ovProbe("missing", reason))
	}
	srv := httptest.NewServer(ovHandler(t, list, runs))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 30*time.Second)
	defer cancel()
	must(t, chromedp.Do(ctx, setDark(false), chromedp.EmulateViewport(desktop.width, desktop.height), chromedp.Navigate(srv.URL+"/")), "open the overview")
	failingReasonsOnScreen(t, ctx, desktop, 4)
	screenshot(t, ctx, "overview-1000.png")
	more, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="group-more"]').length`))
	must(t, err, "count the group links")
	if more != 25 {
		t.Errorf("%d links to collapsed groups, want 25", more)
	}
	resp, err := http.Get(srv.URL + "/?group=g-03")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("group page: %v", err)
	}
	resp.Body.Close()
}

// TestBrowserOverviewLiveTitle: when a check starts failing, the live
// refresh turns the title and the favicon of an open overview, so a
// background tab tells.
func TestBrowserOverviewLiveTitle(t *testing.T) {
	list := ovChecks()[4:] // lonely
	s := historyStore(t, 0)
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	record := func(reason string) {
		res := ovRun("lonely", 0, time.Millisecond, ovProbe(checks.ProbeValid, ""), ovProbe(checks.ProbeMissing, reason))
		res.Started = time.Now().UTC()
		_, _, err := s.RecordRun(context.Background(), res, eval)
		must(t, err, "record a run")
	}
	record("")
	srv := httptest.NewServer(New(Deps{Store: s, Checks: fixed(list), Now: time.Now}))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 20*time.Second)
	defer cancel()
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(desktop.width, desktop.height), chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="live"][data-state="on"]`))), "open the overview and go live")
	const tab = `document.title + " " + document.querySelector('link[rel="icon"]').getAttribute("href")`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](tab))
	must(t, err, "read the tab")
	if got != "✔ 1 passing · authmon /static/favicon-passing.svg" {
		t.Fatalf("healthy tab %q", got)
	}
	record(bypass)
	want := "✖ 1 failing · authmon /static/favicon-failing.svg"
	for i := 0; i < 50 && got != want; i++ { // the refresh follows the run within a second or two
		time.Sleep(200 * time.Millisecond)
		got, err = chromedp.Run(ctx, chromedp.Evaluate[string](tab))
		must(t, err, "read the tab")
	}
	if got != want {
		t.Errorf("after a failing run the tab says %q, want %q", got, want)
	}
}
