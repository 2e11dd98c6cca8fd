package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/checks"
)

// evT0 is when the incidents of these tests start failing.
var evT0 = time.Date(2025, 3, 1, 21, 3, 0, 0, time.UTC)

// bypass is a B1 regression: the endpoint answers without credentials.
func bypass() Regression {
	return Regression{Key: "missing/B1", Before: "401 Unauthorized", Failure: checks.Failure{
		Probe: checks.ProbeMissing, Method: "GET", URL: "https://api.example.test/me",
		Assertion: checks.Assertion{ID: "B1", Ref: "RFC 9110 §11.4", Severity: checks.SevCritical,
			Expected: "401", Got: "200 OK"}}}
}

// wrongChallenge is a conformance regression.
func wrongChallenge() Regression {
	return Regression{Key: "wrong/C3", Failure: checks.Failure{
		Probe: checks.ProbeWrong, Method: "POST", URL: "https://x.test/a",
		Assertion: checks.Assertion{ID: "C3", Ref: "RFC 6750 §3", Severity: checks.SevConf,
			Expected: "WWW-Authenticate: Bearer", Got: "none"}}}
}

// event is a notification of incident id about check, 14 minutes in.
func event(kind Kind, check string, id int64, regs ...Regression) Event {
	ev := Event{Kind: kind, Check: check, IncidentID: id, At: evT0.Add(14 * time.Minute),
		Since: evT0, Regressions: regs}
	for _, r := range regs {
		ev.Severity = max(ev.Severity, r.Failure.Assertion.Severity)
	}
	if kind == KindResolved {
		ev.Resolved = ev.At
	}
	return ev
}

// blockTexts returns the text of every section and context element.
func blockTexts(t *testing.T, blocks []slack.Block) string {
	t.Helper()
	var parts []string
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			parts = append(parts, b.Text.Text)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				parts = append(parts, e.(*slack.TextBlockObject).Text)
			}
		default:
			t.Fatalf("unexpected block %T", b)
		}
	}
	return strings.Join(parts, "\n")
}

func TestRender(t *testing.T) {
	upd := event(KindUpdated, "login-api", 12, wrongChallenge(), bypass())
	upd.Added = []string{"missing/B1"}
	many := make([]Regression, 13)
	for i := range many {
		many[i] = wrongChallenge()
		many[i].Failure.URL = fmt.Sprintf("https://x.test/%d", i)
	}
	calm := event(KindCalm, "svc", 0)
	calm.Status, calm.Incidents = StatusPassing, []int64{13, 14}
	flap := event(KindFlapping, "svc", 0)
	flap.Changes, flap.Window, flap.Calm, flap.Incidents = 6, 30*time.Minute, 30*time.Minute, []int64{12}
	folded := event(KindFolded, "svc", 13, wrongChallenge())
	folded.Reason = "flapping"
	tests := []struct {
		name     string
		ev       Event
		want     []string // in both text and blocks
		wantNot  []string // in neither
		textOnly []string
	}{
		{name: "opened bypass", ev: event(KindOpened, "login-api", 12, bypass()), want: []string{
			"Incident #12 opened", ":rotating_light: CRITICAL: auth bypass", "login-api failing since 21:03 UTC (14m)",
			"GET https://api.example.test/me without credentials: expected 401, got 200 OK",
			"before → now: 401 Unauthorized → 200 OK", "B1 · RFC 9110 §11.4"}},
		{name: "opened conformance", ev: event(KindOpened, "svc", 3, wrongChallenge()), want: []string{
			":large_yellow_circle: conformance",
			"POST https://x.test/a with wrong credentials: expected WWW-Authenticate: Bearer, got none"},
			wantNot: []string{"CRITICAL", "before → now"}},
		{name: "updated", ev: upd, want: []string{"Incident #12 update", "now also failing; severity rose to :rotating_light: CRITICAL: auth bypass",
			"GET https://api.example.test/me"}, wantNot: []string{"POST https://x.test/a"}},
		{name: "capped", ev: event(KindOpened, "svc", 3, many...),
			want: []string{"https://x.test/9 ", "and 3 more"}, wantNot: []string{"https://x.test/10 "}},
		{name: "reminder", ev: event(KindReminder, "svc", 3, wrongChallenge()),
			want: []string{"Incident #3 reminder", "svc still failing after 14m (since 21:03 UTC)"}},
		{name: "resolved", ev: event(KindResolved, "login-api", 12, bypass()), want: []string{
			"Incident #12 resolved — ✅ login-api resolved after 14m (was critical-security)",
			"resolved: GET https://api.example.test/me without credentials"}, wantNot: []string{"before → now"}},
		{name: "flapping", ev: flap, want: []string{"⚠️ svc is flapping: 6 state changes in 30m",
			"notifications are paused until it is stable for 30m", "security incidents are still announced",
			"Covers incident #12"}, wantNot: []string{"Incident #"}},
		{name: "calm", ev: calm, want: []string{"svc is stable again: now passing",
			"unannounced while flapping: incident #13, incident #14"}},
		{name: "folded", ev: folded, want: []string{"Incident #13 folded", "resolved after 14m while flapping; not sent"}},
		{name: "test", ev: Event{Kind: KindTest, At: evT0}, want: []string{"Slack notifications are set up"}},
		{name: "dashboard", ev: Event{Kind: KindTest, DashboardURL: "https://mon.test/c/x?a=1&b=2"},
			want: []string{"https://mon.test/c/x?a=1"}, textOnly: []string{"https://mon.test/c/x?a=1&b=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, blocks := RenderText(tt.ev), blockTexts(t, RenderBlocks(Delivery{ID: 5, Event: tt.ev}))
			if strings.Contains(text, "\n") {
				t.Errorf("RenderText has a newline: %q", text)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) || !strings.Contains(blocks, w) {
					t.Errorf("missing %q\ntext:   %s\nblocks: %s", w, text, blocks)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(text, w) || strings.Contains(blocks, w) {
					t.Errorf("unexpected %q\ntext:   %s\nblocks: %s", w, text, blocks)
				}
			}
			for _, w := range tt.textOnly {
				if !strings.Contains(text, w) {
					t.Errorf("text misses %q: %s", w, text)
				}
			}
		})
	}
}

func TestSinceNamesTheDayAfterADay(t *testing.T) {
	ev := event(KindReminder, "svc", 3, wrongChallenge())
	ev.At = evT0.Add(50 * time.Hour)
	if got := RenderText(ev); !strings.Contains(got, "still failing after 2d2h (since Mar 1 21:03 UTC)") {
		t.Errorf("RenderText = %s", got)
	}
}

// TestEveryMessageNamesItsDelivery checks the block_id of every message
// form: it is how duplicates are told apart.
func TestEveryMessageNamesItsDelivery(t *testing.T) {
	d := Delivery{ID: 77, Event: event(KindResolved, "svc", 3, bypass())}
	forms := map[string]SlackMessage{"standalone": SlackStandalone(d), "root": SlackRoot(d),
		"resolved root": SlackResolvedRoot(d), "reply": SlackReply(d)}
	for name, m := range forms {
		if id := m.Blocks[0].(*slack.SectionBlock).BlockID; id != "authmon-n77" {
			t.Errorf("%s: block_id %q", name, id)
		}
	}
}

func TestRenderBlocksEscapesTargetText(t *testing.T) {
	r := bypass()
	r.Failure.URL = "https://x.test/?a=1&b=<2>"
	r.Failure.Assertion.Got = "200 <!channel> & <https://evil.test|click>"
	ev := event(KindOpened, "a&b", 1, r)
	ev.DashboardURL = "https://mon.test/?x=1&y=2|z"
	blocks := blockTexts(t, RenderBlocks(Delivery{Event: ev}))
	for _, bad := range []string{"<!channel>", "<2>", "<https://evil", "a&b", "&y"} {
		if strings.Contains(blocks, bad) {
			t.Errorf("blocks contain unescaped %q:\n%s", bad, blocks)
		}
	}
	for _, good := range []string{"&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;",
		"a&amp;b", "<https://mon.test/?x=1&amp;y=2%7Cz|Open dashboard>"} {
		if !strings.Contains(blocks, good) {
			t.Errorf("blocks miss %q:\n%s", good, blocks)
		}
	}
}

func TestRenderBlocksFitSlackLimits(t *testing.T) {
	r := bypass()
	r.Failure.URL = "https://x.test/" + strings.Repeat("&", 5000)
	r.Failure.Assertion.Got = strings.Repeat("<", 5000)
	for _, b := range RenderBlocks(Delivery{Event: event(KindOpened, "big", 1, r)}) {
		if s, ok := b.(*slack.SectionBlock); ok {
			if n := len([]rune(s.Text.Text)); n > maxSection {
				t.Errorf("section has %d runes, limit %d", n, maxSection)
			}
			if strings.HasSuffix(strings.TrimSuffix(s.Text.Text, "…"), "&am") {
				t.Errorf("section ends in half an entity")
			}
		}
	}
}

func TestHumanize(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Minute, "0s"}, {0, "0s"}, {45 * time.Second, "45s"}, {14*time.Minute + 59*time.Second, "14m"},
		{2 * time.Hour, "2h"}, {2*time.Hour + 5*time.Minute, "2h5m"}, {50 * time.Hour, "2d2h"}, {48 * time.Hour, "2d"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Humanize(tt.d); got != tt.want {
				t.Errorf("Humanize(%s) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}
