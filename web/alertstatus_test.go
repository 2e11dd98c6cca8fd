package web

import (
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestDeliveryFailingBanner covers item 4 on the overview: while
// notifications fail to go out, it says since when and how many wait.
func TestDeliveryFailingBanner(t *testing.T) {
	h, _ := newTestHandler(t) // the seeded store has a retried and an untried notification
	doc := parse(t, get(t, h, "/"))
	got := doc.Find(`[data-testid="delivery-failing"]`).Text()
	for _, want := range []string{"Slack failing since ", ", 2 waiting", "Last error: slack: "} {
		if !strings.Contains(got, want) {
			t.Errorf("banner %q lacks %q", got, want)
		}
	}
}

// TestActiveSilencesShown covers item 2 on the dashboard: the silences in
// force are listed on the overview, the check page and /config, and only
// there where they apply.
func TestActiveSilencesShown(t *testing.T) {
	deploy := alert.Silence{Start: t0.Add(-time.Hour), End: t0.Add(2 * time.Hour), Reason: "weekly deploy"}
	over := alert.Silence{Start: t0.Add(-3 * time.Hour), End: t0.Add(-time.Hour), Reason: "over"}
	pols := map[string]alert.Policy{}
	for _, c := range testChecks() {
		p := alert.DefaultPolicy()
		p.Silences = []alert.Silence{over}
		if c.Name == "api-basic" {
			p.Silences = append(p.Silences, deploy)
		}
		pols[c.Name] = p
	}
	h := New(Deps{Store: seededStore(t), Checks: fixed(testChecks()), Now: func() time.Time { return t0 },
		Policies: func() map[string]alert.Policy { return pols }})
	for _, path := range []string{"/", "/checks/api-basic", "/config"} {
		doc := parse(t, get(t, h, path))
		items := doc.Find(`[data-testid="silence"]`)
		if items.Length() != 1 || !strings.Contains(items.Text(), "weekly deploy") ||
			!strings.Contains(items.Text(), "until "+fmtTime(deploy.End)+" (2h)") {
			t.Errorf("%s: silences %q, want the deploy one until %s", path, items.Text(), fmtTime(deploy.End))
		}
		if path != "/checks/api-basic" && doc.Find(`[data-testid="silence-checks"]`).Text() != "api-basic" {
			t.Errorf("%s: silence names checks %q", path, doc.Find(`[data-testid="silence-checks"]`).Text())
		}
	}
	other := testChecks()[1].Name
	if n := parse(t, get(t, h, "/checks/"+other)).Find(`[data-testid="silence"]`).Length(); n != 0 {
		t.Errorf("%s shows %d silences, want none", other, n)
	}
}
