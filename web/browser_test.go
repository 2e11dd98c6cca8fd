package web

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// The two widths every page is looked at: a laptop and a small phone.
var (
	desktop = viewport{"1280", 1280, 800}
	phone   = viewport{"375", 375, 812}
)

// browserWait bounds a browser test's steps. It is a deadline against a
// hang, not a speed target: on a loaded 2-core machine (the race detector,
// parallel packages) a page and its live update can take many seconds.
const browserWait = 90 * time.Second

type viewport struct {
	name          string
	width, height int64
}

// newBrowser starts headless chromium, or skips when it is missing, except
// on CI, which installs it, where a missing browser must not pass silently.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required on CI: %v", err)
		}
		t.Skipf("chromium not installed: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser and ties it to ctx: no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowser opens the overview in a real browser at desktop and phone
// width, follows a check link to its evidence, goes to the incidents and into
// one, and to the config page, keeping a screenshot of each.
func TestBrowser(t *testing.T) {
	h, _ := newTestHandler(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	browser := newBrowser(t) // closed first, so that its live stream does not hold srv.Close
	ctx, cancel := context.WithTimeout(browser, browserWait)
	defer cancel()
	for _, vp := range []viewport{desktop, phone} {
		browseOverviewToCheck(t, ctx, srv.URL, vp)
		browseIncidents(t, ctx, srv.URL, vp)
		browseConfig(t, ctx, srv.URL, vp)
	}
	screenshotsDark(t, ctx, srv.URL)
}

// screenshotsDark keeps the main pages in dark mode too.
func screenshotsDark(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	dark := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(desktop.width, desktop.height), dark); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"overview-dark.png": "/", "incidents-dark.png": "/incidents",
		"incident-dark.png": "/incidents/4", "check-dark.png": "/checks/api-bearer"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, name)
	}
}

func browseOverviewToCheck(t *testing.T, ctx context.Context, base string, vp viewport) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	body := visibleText(t, ctx)
	for _, want := range []string{"api-basic", "api-bearer", pendingName, "passing", "failing", "5 checks: 2 passing, 2 failing, 1 pending",
		"Open incidents (2)", "open since 2026-03-01 11:59:40 UTC (20s)", "⚠ flapping", "incident #4"} {
		if !shows(body, want) {
			t.Errorf("%spx overview lacks %q", vp.name, want)
		}
	}
	screenshot(t, ctx, "overview-"+vp.name+".png")

	link := chromedp.CSS(`[data-check="api-bearer"] [data-testid="check-link"]`)
	if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="run"]`))); err != nil {
		t.Fatal(err)
	}
	body = visibleText(t, ctx)
	for _, want := range []string{"api-bearer", "failing since", "200 " + xss, `Bearer realm="` + xss + `"`, "✖ fail", "critical-security",
		"Without credentials the endpoint must refuse", "Latency", "Uptime per day", "Days with failures: 2026-03-01"} {
		if !shows(body, want) {
			t.Errorf("%spx check page lacks %q", vp.name, want)
		}
	}
	screenshot(t, ctx, "check-"+vp.name+".png")
}

// browseIncidents goes from the navigation to the incidents list, and from
// there into the resolved api-key incident.
func browseIncidents(t *testing.T, ctx context.Context, base string, vp viewport) {
	t.Helper()
	nav := chromedp.CSS(`[data-testid="nav-incidents"]`)
	if err := chromedp.Do(ctx, chromedp.Click(nav), chromedp.WaitVisible(chromedp.CSS(`[data-testid="incident-row"]`))); err != nil {
		t.Fatal(err)
	}
	body := visibleText(t, ctx)
	for _, want := range []string{"Open (2)", "Resolved", "#4", "✖ open", "✔ resolved", "not announced", "still open",
		"pending: attempt 1, last error: slack: " + xss} {
		if !shows(body, want) {
			t.Errorf("%spx incidents page lacks %q", vp.name, want)
		}
	}
	screenshot(t, ctx, "incidents-"+vp.name+".png")

	link := chromedp.CSS(`[data-incident="1"] [data-testid="incident-link"]`)
	if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="regression"]`))); err != nil {
		t.Fatal(err)
	}
	body = visibleText(t, ctx)
	for _, want := range []string{"Incident #1: api-key", "✔ resolved", "lasted 5m", "401 → 200", "RFC 9110 §15.5.2",
		"sent at 2026-03-01 11:51:00 UTC", "failed: channel_not_found", "channel C0AUTHMON, ts 1772366460.000100"} {
		if !shows(body, want) {
			t.Errorf("%spx incident page lacks %q", vp.name, want)
		}
	}
	screenshot(t, ctx, "incident-"+vp.name+".png")
}

// browseConfig follows the navigation to the config page.
func browseConfig(t *testing.T, ctx context.Context, base string, vp viewport) {
	t.Helper()
	nav := chromedp.CSS(`[data-testid="nav-config"]`)
	if err := chromedp.Do(ctx, chromedp.Click(nav), chromedp.WaitVisible(chromedp.CSS(`[data-testid="check-config"]`))); err != nil {
		t.Fatal(err)
	}
	body := visibleText(t, ctx)
	for _, want := range []string{"Configuration", "api-basic", "Password", maskedText, "@every 30s"} {
		if !shows(body, want) {
			t.Errorf("%spx config page lacks %q", vp.name, want)
		}
	}
	screenshot(t, ctx, "config-"+vp.name+".png")
}

func visibleText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(s), " ") // layout decides where lines break
}

// shows reports whether the visible text holds want. It ignores case: the
// stylesheet upper-cases labels, and innerText follows it.
func shows(body, want string) bool {
	return strings.Contains(strings.ToLower(body), strings.ToLower(want))
}

// screenshotDir is where the browser tests keep their screenshots:
// AUTHMON_SCREENSHOT_DIR, or web/testdata/screenshots (ignored by git).
func screenshotDir() string {
	if dir := os.Getenv("AUTHMON_SCREENSHOT_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("testdata", "screenshots")
}

// screenshot writes a full-page PNG of the current page.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// openAllDetails opens every collapsed section, so that a screenshot and
// the visible text hold all the evidence.
func openAllDetails(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("details").forEach(d => d.open = true), 0`)); err != nil {
		t.Fatal(err)
	}
}

// must fails the test on an error of a browser step.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
