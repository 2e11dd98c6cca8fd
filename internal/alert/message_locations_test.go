package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// fleetEvent is an opened bypass seen from eu-west, passing from us-east,
// with ap-south stale for 12 minutes.
func fleetEvent(kind Kind) Event {
	ev := event(kind, "login-api", 12, bypass())
	ev.Locations = []LocationStatus{
		{Location: "ap-south", Status: "stale", At: ev.At.Add(-12 * time.Minute)},
		{Location: "eu-west", Status: "failing", At: ev.At},
		{Location: "us-east", Status: "passing", At: ev.At.Add(-3 * time.Second)},
	}
	return ev
}

const fleetLine = "Locations: ap-south stale (no result for 12m) · eu-west failing · us-east passing"

func TestMessagesNameLocations(t *testing.T) {
	for _, kind := range []Kind{KindOpened, KindUpdated, KindReminder, KindResolved} {
		t.Run(string(kind), func(t *testing.T) {
			ev := fleetEvent(kind)
			ev.Added = []string{"missing/B1"}
			ev.DashboardURL = "https://mon.test/checks/login-api"
			text := RenderText(ev)
			if !strings.Contains(text, " — "+fleetLine+" — dashboard: ") {
				t.Errorf("RenderText = %s\nwant the locations before the dashboard link", text)
			}
			d := Delivery{ID: 5, Event: ev}
			forms := map[string]SlackMessage{"standalone": SlackStandalone(d), "root": SlackRoot(d),
				"resolved root": SlackResolvedRoot(d), "reply": SlackReply(d)}
			for name, m := range forms {
				if !strings.Contains(m.Text, fleetLine) {
					t.Errorf("%s: fallback text %q misses the locations", name, m.Text)
				}
				ctx := contextTexts(m.Blocks)
				if len(ctx) == 0 || !strings.Contains(strings.Join(ctx, "\n"), fleetLine) {
					t.Errorf("%s: context blocks %q miss %q", name, ctx, fleetLine)
				}
			}
		})
	}
}

func TestSingleMonitorMessagesNameNoLocation(t *testing.T) {
	ev := event(KindOpened, "login-api", 12, bypass())
	if text := RenderText(ev); strings.Contains(text, "Locations") {
		t.Errorf("RenderText = %s", text)
	}
	if blocks := blockTexts(t, RenderBlocks(Delivery{Event: ev})); strings.Contains(blocks, "Locations") {
		t.Errorf("blocks = %s", blocks)
	}
}

func TestLocationsLine(t *testing.T) {
	at := evT0
	tests := []struct {
		name string
		ls   []LocationStatus
		want string
	}{
		{"none", nil, ""},
		{"all fresh", []LocationStatus{{"eu-west", "failing", at}, {"us-east", "passing", at}},
			"Locations: eu-west failing · us-east passing"},
		{"stale without a result", []LocationStatus{{"ap-south", "stale", time.Time{}}},
			"Locations: ap-south stale (no result)"},
		{"stale for 2h5m", []LocationStatus{{"ap-south", "stale", at.Add(-125 * time.Minute)}},
			"Locations: ap-south stale (no result for 2h5m)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := locationsLine(tt.ls, at); got != tt.want {
				t.Errorf("locationsLine = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLocationNamesAreEscaped(t *testing.T) {
	ev := fleetEvent(KindOpened)
	ev.Locations[0].Location = "<!channel>&x"
	blocks := blockTexts(t, RenderBlocks(Delivery{Event: ev}))
	if strings.Contains(blocks, "<!channel>") || !strings.Contains(blocks, "&lt;!channel&gt;&amp;x stale") {
		t.Errorf("blocks = %s", blocks)
	}
}

// contextTexts returns the text of every context block.
func contextTexts(blocks []slack.Block) []string {
	var out []string
	for _, b := range blocks {
		if c, ok := b.(*slack.ContextBlock); ok {
			for _, e := range c.ContextElements.Elements {
				out = append(out, e.(*slack.TextBlockObject).Text)
			}
		}
	}
	return out
}
