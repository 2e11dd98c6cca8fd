package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// imgXSS is the attribute-breaking payload a hostile target sends.
const imgXSS = `"><img src=x onerror=alert(1)>`

// hostileTarget answers like a broken auth API written by an attacker:
// markup in its body, in a header and in its challenge's parameters, and a
// 200 to wrong credentials.
func hostileTarget(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Evil", xss+imgXSS)
		switch auth := r.Header.Get("Authorization"); {
		case auth == "":
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+xss+`", error_description="\"><img src=x onerror=alert(1)>"`)
			w.WriteHeader(http.StatusUnauthorized)
		default: // valid or not: in
			w.WriteHeader(http.StatusOK)
		}
		_, _ = w.Write([]byte("<html><body>" + xss + imgXSS + "</body></html>"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// hostileCheck runs a real check against the hostile target and records
// the run in a real store, as the scheduler does.
func hostileCheck(t *testing.T, ctx context.Context) (checks.Check, *store.Store) {
	t.Helper()
	target := hostileTarget(t)
	ch := checks.Check{Name: "hostile " + imgXSS, Schedule: "@every 1m", Timeout: 5 * time.Second, Method: "GET",
		URL: target.URL + "/me", MaxBody: 1 << 20, Auth: checks.Credential{Kind: checks.AuthBearer, Token: canary},
		Secrets: []string{canary}, Probes: allProbes()}
	res := checks.Run(ctx, checks.NewClient(1), ch)
	s := historyStore(t, 0)
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	if _, _, err := s.RecordRun(ctx, res, eval); err != nil {
		t.Fatal(err)
	}
	return ch, s
}

// TestBrowserHostileTarget: whatever a target sends is shown as text and
// never runs: no dialog opens on the overview or on the check's page, at
// either width, with every section open.
func TestBrowserHostileTarget(t *testing.T) {
	ch, s := hostileCheck(t, context.Background())
	srv := httptest.NewServer(New(Deps{Store: s, Checks: fixed([]checks.Check{ch}), Now: time.Now}))
	t.Cleanup(srv.Close)
	browser := newBrowser(t) // closed first: its live stream would hold srv.Close
	ctx, cancel := context.WithTimeout(browser, browserWait)
	defer cancel()
	var mu sync.Mutex
	var dialogs []string
	must(t, chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			dialogs = append(dialogs, d.Type.String()+": "+d.Message)
			mu.Unlock()
			go func() { // a dialog blocks the page; dismiss it so the test can report it
				_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
					return err
				}))
			}()
		}
	}), "listen")
	for _, vp := range []viewport{desktop, phone} {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/"),
			chromedp.Click(chromedp.CSS(`[data-testid="check-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="run"]`))), "open the check")
		openAllDetails(t, ctx)
		body := visibleText(t, ctx)
		for _, want := range []string{"hostile " + imgXSS, "X-Evil: " + xss + imgXSS, "<html><body>" + xss + imgXSS,
			`realm="` + xss + `"`, "error_description " + imgXSS, "critical-security", "with wrong credentials"} {
			if !shows(body, want) {
				t.Errorf("%spx: the page does not show %q as text", vp.name, want)
			}
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("img, iframe, object, embed").length +
			Array.from(document.scripts).filter(s => !["/static/live.js", "/static/evidence.js"].includes(new URL(s.src, location.href).pathname)).length`))
		must(t, err, "count elements")
		if n != 0 {
			t.Errorf("%spx: %d img/script elements besides live.js and evidence.js", vp.name, n)
		}
		screenshot(t, ctx, "check-hostile-"+vp.name+".png")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Fatalf("the target's payload ran: dialogs %q", dialogs)
	}
	if strings.Contains(visibleText(t, ctx), canary) {
		t.Error("the page shows the configured token")
	}
}

// TestBrowserNoScript: with JavaScript off the check page shows its
// evidence and charts, and the live indicator stays hidden.
func TestBrowserNoScript(t *testing.T) {
	h, _ := newTestHandler(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, browserWait)
	defer cancel()
	noJS := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	for _, vp := range []viewport{desktop, phone} {
		must(t, chromedp.Do(ctx, noJS, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/checks/api-bearer"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="probe"]`))), "open the check page")
		body := visibleText(t, ctx)
		for _, want := range []string{"api-bearer", "failing since", "200 " + xss, "Without credentials the endpoint must refuse",
			"Latency", "Uptime per day", "Runs", "↻ reloads every 10 s"} {
			if !shows(body, want) {
				t.Errorf("%spx without JavaScript: the page lacks %q", vp.name, want)
			}
		}
		if strings.Contains(body, "● live") {
			t.Errorf("%spx without JavaScript: the live indicator shows", vp.name)
		}
		chart := `svg.chart-wide`
		if vp == phone {
			chart = `svg.chart-narrow`
		}
		must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(chart))), "the chart for "+vp.name+"px")
		screenshot(t, ctx, "check-nojs-"+vp.name+".png")
	}
}

// TestBrowserLive: a run recorded while the check's page is open appears
// on it without a reload, and the indicator says the page is live.
func TestBrowserLive(t *testing.T) {
	s := historyStore(t, 600) // ten hours of runs: a chart worth looking at
	srv := httptest.NewServer(New(Deps{Store: s, Checks: fixed(testChecks()), Now: func() time.Time { return t0 }}))
	t.Cleanup(srv.Close)
	browser := newBrowser(t)
	ctx, cancel := context.WithTimeout(browser, browserWait)
	defer cancel()
	for _, vp := range []viewport{phone, desktop} {
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL+"/checks/api-basic"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="live"][data-state="on"]`))), "open the page and go live")
		screenshot(t, ctx, "check-history-"+vp.name+".png")
	}
	_, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.authmonMarker = 7`))
	must(t, err, "mark the page")
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	run, _, err := s.RecordRun(context.Background(), basicRun(t0.Add(time.Minute)), eval)
	must(t, err, "record a run")
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-run="`+strconv.FormatInt(run.ID, 10)+`"]`))), "the new run appears")
	marker, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.authmonMarker || 0`))
	must(t, err, "read the mark")
	if marker != 7 {
		t.Error("the page was reloaded instead of updated in place")
	}
	if s := visibleText(t, ctx); !strings.Contains(s, "● live") {
		t.Errorf("the indicator does not say live: %q", s[:min(len(s), 200)])
	}
}
