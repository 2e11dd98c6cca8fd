package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/checks"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func bypassFailure() checks.Failure {
	return checks.Failure{Probe: checks.ProbeMissing, Method: "GET", URL: "https://api.example.test/me",
		Assertion: checks.Assertion{ID: "B1", Ref: "RFC 9110 §11.4", Severity: checks.SevCritical,
			Expected: "401", Got: "200 OK"}}
}

func regressed(check string, fs ...checks.Failure) Event {
	sev := checks.SevNone
	for _, f := range fs {
		sev = max(sev, f.Assertion.Severity)
	}
	return Event{Kind: KindRegressed, Check: check, Severity: sev, At: t0, Since: t0, Failures: fs}
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
	wrong := checks.Failure{Probe: checks.ProbeWrong, Method: "POST", URL: "https://x.test/a",
		Assertion: checks.Assertion{ID: "C3", Ref: "RFC 6750 §3", Severity: checks.SevConf,
			Expected: `WWW-Authenticate: Bearer`, Got: "none"}}
	many := make([]checks.Failure, 13)
	for i := range many {
		many[i] = wrong
		many[i].URL = fmt.Sprintf("https://x.test/%d", i)
	}
	tests := []struct {
		name     string
		ev       Event
		want     []string // in both text and blocks
		wantNot  []string // in neither
		textOnly []string
	}{
		{name: "bypass", ev: regressed("login-api", bypassFailure()), want: []string{
			":rotating_light: CRITICAL: auth bypass", "login-api", "regressed",
			"GET https://api.example.test/me without credentials: expected 401, got 200 OK",
			"B1 · RFC 9110 §11.4"}},
		{name: "conformance", ev: regressed("svc", wrong), want: []string{
			":large_yellow_circle: conformance",
			"POST https://x.test/a with wrong credentials: expected WWW-Authenticate: Bearer, got none"},
			wantNot: []string{"CRITICAL"}},
		{name: "capped", ev: regressed("svc", many...),
			want: []string{"https://x.test/9 ", "and 3 more"}, wantNot: []string{"https://x.test/10 "}},
		{name: "recovered", ev: Event{Kind: KindRecovered, Check: "login-api", Severity: checks.SevCritical,
			At: t0.Add(2*time.Hour + 5*time.Minute), Since: t0},
			want: []string{"✅ login-api recovered after 2h5m", "was critical-security"}},
		{name: "test", ev: Event{Kind: KindTest, At: t0}, want: []string{"Slack notifications are set up"}},
		{name: "dashboard", ev: Event{Kind: KindTest, DashboardURL: "https://mon.test/c/x?a=1&b=2"},
			want: []string{"https://mon.test/c/x?a=1"}, textOnly: []string{"https://mon.test/c/x?a=1&b=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, blocks := RenderText(tt.ev), blockTexts(t, RenderBlocks(tt.ev))
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

func TestRenderBlocksEscapesTargetText(t *testing.T) {
	f := bypassFailure()
	f.URL = "https://x.test/?a=1&b=<2>"
	f.Assertion.Got = "200 <!channel> & <https://evil.test|click>"
	ev := regressed("a&b", f)
	ev.DashboardURL = "https://mon.test/?x=1&y=2|z"
	blocks := blockTexts(t, RenderBlocks(ev))
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
	f := bypassFailure()
	f.URL = "https://x.test/" + strings.Repeat("&", 5000)
	f.Assertion.Got = strings.Repeat("<", 5000)
	for _, b := range RenderBlocks(regressed("big", f)) {
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
			if got := humanize(tt.d); got != tt.want {
				t.Errorf("humanize(%s) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}
