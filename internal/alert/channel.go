package alert

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// DefaultChannel is the outbox's name for the channel of notifications that
// no named channel takes: the [slack] section when there is one, else the
// log. Rows queued before named channels existed carry it too.
const DefaultChannel = ""

// Channels is the Notifier the sender drains the outbox into: it hands each
// delivery to the named channel the outbox row is bound for. A delivery for
// a channel that no longer exists (removed from the config while it
// waited) goes to the fallback, so that it is neither lost nor stuck.
type Channels struct {
	byName   map[string]Notifier
	fallback Notifier
	log      *slog.Logger
}

// NewChannels returns a router over the named notifiers. def serves
// DefaultChannel and unknown names; nil means a LogNotifier.
func NewChannels(named map[string]Notifier, def Notifier, log *slog.Logger) *Channels {
	if log == nil {
		log = slog.Default()
	}
	if def == nil {
		def = LogNotifier{Log: log}
	}
	return &Channels{byName: named, fallback: def, log: log}
}

// Notify delivers d through the channel its row is bound for.
func (c *Channels) Notify(ctx context.Context, d Delivery) (Thread, error) {
	if d.Channel == DefaultChannel {
		return c.fallback.Notify(ctx, d)
	}
	n, ok := c.byName[d.Channel]
	if !ok {
		c.log.Warn("alert channel no longer configured; delivering to the default channel instead",
			slog.String("channel", d.Channel), slog.Int64("delivery", d.ID), slog.String("check", d.Event.Check))
		return c.fallback.Notify(ctx, d)
	}
	return n.Notify(ctx, d)
}

// Names lists the named channels, sorted.
func (c *Channels) Names() []string {
	out := make([]string, 0, len(c.byName))
	for n := range c.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Route says which named channels take which notifications. Empty filters
// match everything; a notification goes to every channel that matches it.
type Route struct {
	Channel    string
	Severities []checks.Severity // "" all
	Checks     []string
	Groups     []string
}

// matches reports whether the route takes a check's incident of sev.
func (r Route) matches(check, group string, sev checks.Severity) bool {
	return (len(r.Checks) == 0 || contains(r.Checks, check)) &&
		(len(r.Groups) == 0 || contains(r.Groups, group)) &&
		(len(r.Severities) == 0 || contains(r.Severities, sev))
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// RouteSeverities resolves routes for one check: for each severity, the
// channels that take it, in route order. Config builds it into the policy.
func RouteSeverities(routes []Route, check, group string) map[checks.Severity][]string {
	out := map[checks.Severity][]string{}
	for sev := checks.SevWarn; sev <= checks.SevCritical; sev++ {
		for _, r := range routes {
			if r.matches(check, group, sev) {
				out[sev] = append(out[sev], r.Channel)
			}
		}
	}
	return out
}

// IncidentKey names an incident for a receiver that deduplicates (a
// PagerDuty dedup_key, an Opsgenie alias, a mail thread, a webhook's
// incident.key): stable across retries and restarts.
func IncidentKey(ev Event) string {
	if ev.IncidentID == 0 {
		return fmt.Sprintf("authmon-%s-%s", ev.Kind, ev.At.UTC().Format("20060102T150405.000"))
	}
	return fmt.Sprintf("authmon-incident-%d", ev.IncidentID)
}

// RedactEvent returns ev with every text a message shows run through red:
// each adapter calls it right before a notification leaves.
func RedactEvent(red *redact.Redactor, ev Event) Event { return redactEvent(red, ev) }

// Rendered is a notification in plain words, for channels other than Slack:
// the same headline and regression lines as the Slack message, without
// Slack's markup.
type Rendered struct {
	Head  string   // one line
	Lines []string // one per listed regression
	More  int      // regressions not listed
	Text  string   // everything on one line, with the dashboard link
}

// Render words ev for a channel that is not Slack.
func Render(ev Event) Rendered {
	m := standalone(ev)
	if ev.Kind == KindTest {
		m = summary{head: "👋 authmon test message: notifications to this channel are set up"}
	}
	lines, more := regressionLines(m.items, m.resolved)
	out := Rendered{Head: plainEmoji(m.head), More: more, Text: plainEmoji(m.text(ev.DashboardURL))}
	for _, l := range lines {
		out.Lines = append(out.Lines, l.oneLine())
	}
	return out
}

// plainEmoji turns the Slack emoji codes of a headline into characters.
var plainEmoji = strings.NewReplacer(":rotating_light:", "🚨", ":warning:", "⚠️", ":x:", "❌",
	":large_yellow_circle:", "🟡", ":information_source:", "ℹ️", ":wave:", "👋").Replace
