package web

import (
	"errors"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestConfigStatus: the footer says when the config was loaded; a refused
// reload puts a banner with its first problem above the overview, and the
// checks listed are those Deps.Checks returns now.
func TestConfigStatus(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 3, 9, 0, time.UTC)
	problems := errors.New("checks.toml:8: check[0].schedul: unknown key (did you mean \"schedule\"?)\n" +
		"checks.toml:13: check[1].url: required\nchecks.toml:20: slack: set webhook_url")
	cases := []struct {
		name           string
		err            error
		footer, banner string
	}{
		{name: "loaded", footer: "authmon dev · config loaded at 2026-11-27 12:03:09 UTC"},
		{name: "refused", err: problems,
			footer: "authmon dev · config reload at 2026-11-27 12:03:09 UTC failed: still running the previous config",
			banner: "config reload at 12:03 UTC failed: checks.toml:8: check[0].schedul: unknown key (did you mean \"schedule\"?)" +
				" (and 2 more in the log) — still running the previous config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list := testChecks()[:2]
			h := New(Deps{Store: seededStore(t), Checks: func() []checks.Check { return list }, Version: "dev",
				Reload: func() (time.Time, error) { return at, tc.err }, Now: func() time.Time { return t0 }})
			doc := parse(t, get(t, h, "/"))
			if got := text(doc.Find(`[data-testid="footer"]`)); got != tc.footer {
				t.Errorf("footer %q, want %q", got, tc.footer)
			}
			if got := text(doc.Find(`[data-testid="reload-failed"]`)); got != tc.banner {
				t.Errorf("banner %q, want %q", got, tc.banner)
			}
			if n := doc.Find(`[data-testid="check-row"]`).Length(); n != 2 {
				t.Errorf("%d rows, want 2", n)
			}
			list = testChecks()[:3] // a reload added a check
			if n := parse(t, get(t, h, "/")).Find(`[data-testid="check-row"]`).Length(); n != 3 {
				t.Errorf("after a reload %d rows, want 3", n)
			}
			if code := get(t, h, checkHref(list[2].Name)).Code; code != 200 {
				t.Errorf("the added check's page: %d", code)
			}
		})
	}
}
