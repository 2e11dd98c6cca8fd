package web

import (
	"context"
	"fmt"
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
// width, follows a check link, goes to the incidents and into one, and keeps
// a screenshot of each page when AUTHMON_SCREENSHOT_DIR is set.
func TestBrowser(t *testing.T) {
	browser := newBrowser(t)
	h, _ := newTestHandler(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(browser, 20*time.Second)
	defer cancel()
	for _, width := range []int64{1280, 390} {
		browseOverviewToCheck(t, ctx, srv.URL, width)
		browseIncidents(t, ctx, srv.URL, width)
	}
	if os.Getenv("AUTHMON_SCREENSHOT_DIR") != "" {
		screenshotsDark(t, ctx, srv.URL)
	}
}

// screenshotsDark keeps the main pages in dark mode too.
func screenshotsDark(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	dark := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), dark); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"overview-dark.png": "/", "incidents-dark.png": "/incidents", "incident-dark.png": "/incidents/4"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, name)
	}
}

func browseOverviewToCheck(t *testing.T, ctx context.Context, base string, width int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	body := visibleText(t, ctx)
	for _, want := range []string{"api-basic", "api-bearer", pendingName, "passing", "failing", "5 checks: 2 passing, 2 failing, 1 pending",
		"Open incidents (2)", "open since 2026-03-01 11:59:40 UTC (20s)", "⚠ flapping", "incident #4"} {
		if !strings.Contains(body, want) {
			t.Errorf("%dpx overview lacks %q", width, want)
		}
	}
	screenshot(t, ctx, fmt.Sprintf("overview-%d.png", width))

	link := chromedp.CSS(`[data-check="api-bearer"] [data-testid="check-link"]`)
	if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="run"]`))); err != nil {
		t.Fatal(err)
	}
	body = visibleText(t, ctx)
	for _, want := range []string{"api-bearer", "failing since", "200 " + xss, `Bearer realm="` + xss + `"`, "✖ fail", "critical-security"} {
		if !strings.Contains(body, want) {
			t.Errorf("%dpx check page lacks %q", width, want)
		}
	}
	screenshot(t, ctx, fmt.Sprintf("check-%d.png", width))
}

// browseIncidents goes from the navigation to the incidents list, and from
// there into the resolved api-key incident.
func browseIncidents(t *testing.T, ctx context.Context, base string, width int64) {
	t.Helper()
	nav := chromedp.CSS(`[data-testid="nav-incidents"]`)
	if err := chromedp.Do(ctx, chromedp.Click(nav), chromedp.WaitVisible(chromedp.CSS(`[data-testid="incident-row"]`))); err != nil {
		t.Fatal(err)
	}
	body := visibleText(t, ctx)
	for _, want := range []string{"Open (2)", "Resolved", "#4", "✖ open", "✔ resolved", "not announced", "still open",
		"pending: attempt 1, last error: slack: " + xss} {
		if !strings.Contains(body, want) {
			t.Errorf("%dpx incidents page lacks %q", width, want)
		}
	}
	screenshot(t, ctx, fmt.Sprintf("incidents-%d.png", width))

	link := chromedp.CSS(`[data-incident="1"] [data-testid="incident-link"]`)
	if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="regression"]`))); err != nil {
		t.Fatal(err)
	}
	body = visibleText(t, ctx)
	for _, want := range []string{"Incident #1: api-key", "✔ resolved", "lasted 5m", "401 → 200", "RFC 9110 §15.5.2",
		"sent at 2026-03-01 11:51:00 UTC", "failed: channel_not_found", "channel C0AUTHMON, ts 1772366460.000100"} {
		if !strings.Contains(body, want) {
			t.Errorf("%dpx incident page lacks %q", width, want)
		}
	}
	screenshot(t, ctx, fmt.Sprintf("incident-%d.png", width))
}

func visibleText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(s), " ") // layout decides where lines break
}

// screenshot writes a full-page PNG when a directory is asked for.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("AUTHMON_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
