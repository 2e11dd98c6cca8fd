package alert

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"
)

// SlackMessage is a message ready for Slack: mrkdwn fallback text and Block
// Kit blocks, with everything from a target or the configuration escaped
// except the configured mention. The Slack adapter (package alert/slack)
// sends it; it is built here, from the same summary as Render and
// RenderText, so that every channel says the same thing.
type SlackMessage struct {
	Text   string
	Blocks []slack.Block
}

// RenderBlocks renders d as a message that stands alone: what webhook mode
// posts, and what bot mode posts when there is no thread to join. The first
// block's block_id names the delivery (see BlockID).
func RenderBlocks(d Delivery) []slack.Block {
	return SlackStandalone(d).Blocks
}

// SlackStandalone is d as a message that stands alone.
func SlackStandalone(d Delivery) SlackMessage {
	return format(d.ID, standalone(d.Event), d.Event.DashboardURL)
}

// SlackRoot is the incident's root while it is open.
func SlackRoot(d Delivery) SlackMessage {
	return format(d.ID, rootState(d.Event), d.Event.DashboardURL)
}

// SlackResolvedRoot is the incident's root once it resolved.
func SlackResolvedRoot(d Delivery) SlackMessage {
	return format(d.ID, rootResolved(d.Event), d.Event.DashboardURL)
}

// SlackReply is a reply in the incident's thread; the dashboard link is
// left to the root right above it.
func SlackReply(d Delivery) SlackMessage {
	return format(d.ID, reply(d.Event), "")
}

// BlockID tags a message with the outbox delivery that sent it, so that a
// duplicate delivery can be recognised in the channel and by tests.
func BlockID(deliveryID int64) string { return fmt.Sprintf("authmon-n%d", deliveryID) }

// format renders m: the headline as the first block, then one block per
// regression, then the locations of a fleet, then the dashboard link.
func format(deliveryID int64, m summary, dashboardURL string) SlackMessage {
	mention := ""
	if m.mention != "" {
		mention = m.mention + " "
	}
	msg := SlackMessage{Text: mention + esc(m.text(dashboardURL))}
	msg.Blocks = append(msg.Blocks, section(BlockID(deliveryID), mention+esc(m.head)))
	lines, more := regressionLines(m.items, m.resolved)
	for _, l := range lines {
		msg.Blocks = append(msg.Blocks, section("", l.mrkdwn()))
	}
	if more > 0 {
		msg.Blocks = append(msg.Blocks, contextBlock(fmt.Sprintf("and %d more", more)))
	}
	if loc := locationsLine(m.locations, m.at); loc != "" {
		msg.Blocks = append(msg.Blocks, contextBlock(fitSection(esc(loc))))
	}
	if link := dashboardLink(dashboardURL); link != "" {
		msg.Blocks = append(msg.Blocks, contextBlock(link))
	}
	return msg
}

// mrkdwn is the line as an escaped bullet with the reference in italics.
func (l line) mrkdwn() string {
	s := "• " + esc(l.text)
	if l.resolved {
		s = "• ✅ resolved: " + esc(l.text)
	} else if l.before != "" {
		s += "\n" + esc(l.before)
	}
	if l.ref != "" {
		s += "\n_" + esc(l.ref) + "_"
	}
	return s
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

// section is a verbatim mrkdwn section: Slack does not auto-link names or
// mentions typed as plain words in it, only the explicit <!here> syntax.
func section(blockID, mrkdwn string) slack.Block {
	text := slack.NewTextBlockObject(slack.MarkdownType, fitSection(mrkdwn), false, true)
	return slack.NewSectionBlock(text, nil, nil, slack.SectionBlockOptionBlockID(blockID))
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
