package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/authmon/monitor/internal/checks"
)

const (
	// maxFailures is how many failed assertions a message lists before
	// summarising the rest as "and N more".
	maxFailures = 10
	// maxField caps one value taken from a target (URL, expected, got) so a
	// hostile or broken endpoint cannot blow up the message.
	maxField = 300
	// maxSection is Slack's limit on the text of a section block.
	maxSection = 3000
)

// RenderText renders ev as one plain paragraph, used as the log line and as
// the Slack fallback text. It is not escaped for Slack: the Slack notifier
// escapes it before sending.
func RenderText(ev Event) string {
	switch ev.Kind {
	case KindRegressed:
		parts := make([]string, 0, maxFailures)
		sentences, more := failureSentences(ev.Failures)
		for _, s := range sentences {
			parts = append(parts, s.text+" ("+s.ref+")")
		}
		text := fmt.Sprintf("%s — %s regressed: %s", severityLabel(ev), ev.Check, strings.Join(parts, "; "))
		if more > 0 {
			text += fmt.Sprintf("; and %d more", more)
		}
		return withDashboard(text, ev.DashboardURL)
	case KindRecovered:
		return withDashboard(recoveredLine(ev)+fmt.Sprintf(" (was %s)", ev.Severity), ev.DashboardURL)
	case KindTest:
		return withDashboard(testLine(ev), ev.DashboardURL)
	default:
		return fmt.Sprintf("%s: %s event", ev.Check, ev.Kind)
	}
}

// RenderBlocks renders ev as Slack Block Kit blocks. Everything that can come
// from a target or the configuration is escaped for mrkdwn.
func RenderBlocks(ev Event) []slack.Block {
	var blocks []slack.Block
	switch ev.Kind {
	case KindRegressed:
		head := fmt.Sprintf("%s\n*%s* regressed", esc(severityLabel(ev)), esc(ev.Check))
		blocks = append(blocks, section(head))
		sentences, more := failureSentences(ev.Failures)
		for _, s := range sentences {
			blocks = append(blocks, section("• "+esc(s.text)+"\n_"+esc(s.ref)+"_"))
		}
		if more > 0 {
			blocks = append(blocks, contextBlock(fmt.Sprintf("and %d more", more)))
		}
	case KindRecovered:
		blocks = append(blocks, section(esc(recoveredLine(ev))))
		blocks = append(blocks, contextBlock("was "+esc(ev.Severity.String())))
	case KindTest:
		blocks = append(blocks, section(esc(testLine(ev))))
	default:
		blocks = append(blocks, section(esc(RenderText(ev))))
	}
	if link := dashboardLink(ev.DashboardURL); link != "" {
		blocks = append(blocks, contextBlock(link))
	}
	return blocks
}

// sentence is one failed assertion in words plus its catalogue reference.
type sentence struct {
	text string // "GET https://x/ without credentials: expected 401, got 200 OK"
	ref  string // "B1 · RFC 9110 §11.4"
}

// failureSentences describes at most maxFailures failures and returns how
// many more there were.
func failureSentences(fs []checks.Failure) ([]sentence, int) {
	n := min(len(fs), maxFailures)
	out := make([]sentence, 0, n)
	for _, f := range fs[:n] {
		out = append(out, sentence{text: failureText(f), ref: failureRef(f.Assertion)})
	}
	return out, len(fs) - n
}

// failureText is "<METHOD> <URL> <probe>: expected <Expected>, got <Got>".
func failureText(f checks.Failure) string {
	a := f.Assertion
	detail := fmt.Sprintf("expected %s, got %s", clip(a.Expected), clip(a.Got))
	if a.Expected == "" && a.Got == "" {
		detail = clip(a.Reason)
	}
	return fmt.Sprintf("%s %s %s: %s", clip(f.Method), clip(f.URL), clip(f.Probe.Phrase()), detail)
}

func failureRef(a checks.Assertion) string {
	if a.Ref == "" {
		return clip(a.ID)
	}
	return clip(a.ID) + " · " + clip(a.Ref)
}

// severityLabel names the severity with an emoji and words, so that it never
// depends on colour alone.
func severityLabel(ev Event) string {
	for _, f := range ev.Failures {
		if id := f.Assertion.ID; id == "B1" || id == "B2" {
			return ":rotating_light: CRITICAL: auth bypass"
		}
	}
	switch ev.Severity {
	case checks.SevCritical:
		return ":rotating_light: CRITICAL: " + ev.Severity.String()
	case checks.SevHighSec:
		return ":warning: HIGH: " + ev.Severity.String()
	case checks.SevAvail:
		return ":x: " + ev.Severity.String()
	case checks.SevConf:
		return ":large_yellow_circle: " + ev.Severity.String()
	default:
		return ":information_source: " + ev.Severity.String()
	}
}

func recoveredLine(ev Event) string {
	return fmt.Sprintf("✅ %s recovered after %s", ev.Check, humanize(ev.At.Sub(ev.Since)))
}

func testLine(ev Event) string {
	line := ":wave: authmon test message: Slack notifications are set up"
	if ev.Check != "" {
		line += " (check " + ev.Check + ")"
	}
	return line
}

// humanize writes d coarsely: 45s, 14m, 2h5m, 3d4h.
func humanize(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return joinUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	default:
		return joinUnits(int(d/(24*time.Hour)), "d", int(d%(24*time.Hour)/time.Hour), "h")
	}
}

func joinUnits(major int, mu string, minor int, nu string) string {
	if minor == 0 {
		return fmt.Sprintf("%d%s", major, mu)
	}
	return fmt.Sprintf("%d%s%d%s", major, mu, minor, nu)
}

func withDashboard(text, url string) string {
	if url == "" {
		return text
	}
	return text + " — dashboard: " + url
}

// dashboardLink is a mrkdwn link to url, or "" when url is empty.
func dashboardLink(url string) string {
	if url == "" {
		return ""
	}
	// "|" ends the URL part of a Slack link; percent-encode it.
	return "<" + esc(strings.ReplaceAll(url, "|", "%7C")) + "|Open dashboard>"
}

// esc escapes the mrkdwn control characters &, < and >.
func esc(s string) string { return slackutilsx.EscapeMessage(s) }

// clip shortens s to maxField runes.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= maxField {
		return s
	}
	return string(r[:maxField-1]) + "…"
}

// section is a verbatim mrkdwn section: Slack does not auto-link names or
// mentions in it.
func section(mrkdwn string) slack.Block {
	text := slack.NewTextBlockObject(slack.MarkdownType, fitSection(mrkdwn), false, true)
	return slack.NewSectionBlock(text, nil, nil)
}

// fitSection cuts escaped mrkdwn to maxSection runes without leaving half an
// entity such as "&am" behind.
func fitSection(s string) string {
	r := []rune(s)
	if len(r) <= maxSection {
		return s
	}
	cut := string(r[:maxSection-1])
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i]
	}
	return cut + "…"
}

func contextBlock(mrkdwn string) slack.Block {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, true))
}
