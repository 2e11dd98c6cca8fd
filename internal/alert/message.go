package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

const (
	// maxFailures is how many regressions a message lists before summarising
	// the rest as "and N more".
	maxFailures = 10
	// maxField caps one value taken from a target (URL, expected, got) so a
	// hostile or broken endpoint cannot blow up the message.
	maxField = 300
	// maxSection is Slack's limit on the text of a section block.
	maxSection = 3000
)

// summary is a message before formatting: one headline and the regressions
// listed under it. Text and Block Kit are both rendered from it, so the
// fallback text and the blocks always say the same thing.
type summary struct {
	head     string       // one line, plain text
	items    []Regression // listed under the headline
	resolved bool         // list the items as resolved
	// mention is Slack syntax from the configuration ("<!here>"); it is
	// never escaped, unlike everything else.
	mention string
	// locations is how each location of a fleet saw the check; empty for a
	// single monitor (locationsLine).
	locations []LocationStatus
	at        time.Time // the event's run: stale locations' age is counted from it
}

// text joins the summary into one plain line, without the mention.
func (m summary) text(dashboardURL string) string {
	text := m.head
	if len(m.items) > 0 {
		lines, more := regressionLines(m.items, m.resolved)
		parts := make([]string, len(lines))
		for i, l := range lines {
			parts[i] = l.oneLine()
		}
		text += ": " + strings.Join(parts, "; ")
		if more > 0 {
			text += fmt.Sprintf("; and %d more", more)
		}
	}
	if loc := locationsLine(m.locations, m.at); loc != "" {
		text += " — " + loc
	}
	if dashboardURL != "" {
		text += " — dashboard: " + dashboardURL
	}
	return text
}

// RenderText renders ev as one plain line, used as the log line and as the
// Slack fallback text of a message that stands alone (webhook mode). It is
// not escaped for Slack and carries no mention: the Slack notifier adds both.
func RenderText(ev Event) string {
	return standalone(ev).text(ev.DashboardURL)
}

// standalone is the message for ev when it cannot update or thread under an
// incident's root message: it names the incident and the kind first, so that
// messages of one incident can be told apart and linked by a reader.
func standalone(ev Event) summary {
	return withLocations(standaloneOf(ev), ev)
}

func standaloneOf(ev Event) summary {
	tag := incidentTag(ev, kindWord(ev.Kind))
	switch ev.Kind {
	case KindOpened:
		return summary{head: joinHead(tag, severityLabel(ev), ev.Check+" failing "+sinceText(ev)),
			items: ev.Regressions, mention: ev.Mention}
	case KindUpdated:
		label := severityLabel(ev)
		if severityRose(ev) {
			label = "" // changeText names the new severity already
		}
		return summary{head: joinHead(tag, label, ev.Check+": "+changeText(ev)),
			items: added(ev), mention: ev.Mention}
	case KindReminder:
		return summary{head: joinHead(tag, severityLabel(ev), ev.Check+" "+reminderText(ev)),
			items: ev.Regressions, mention: ev.Mention}
	case KindResolved:
		head := fmt.Sprintf("✅ %s resolved after %s (was %s)", ev.Check, Humanize(resolvedAfter(ev)), ev.Severity)
		return summary{head: joinHead(tag, head), items: ev.Regressions, resolved: true}
	case KindFlapping:
		return summary{head: joinHead(tag, flappingText(ev))}
	case KindCalm:
		return summary{head: joinHead(tag, calmText(ev))}
	case KindFolded:
		return summary{head: joinHead(tag, foldedText(ev)), items: ev.Regressions, resolved: true}
	case KindTest:
		return summary{head: testText(ev)}
	case KindAcked:
		return summary{head: joinHead(tag, ev.Check+": "+ackText(ev))}
	case KindEscalated:
		return summary{head: joinHead(tag, severityLabel(ev), ev.Check+" "+escalatedText(ev)),
			items: ev.Regressions, mention: ev.Mention}
	default:
		return summary{head: joinHead(tag, fmt.Sprintf("%s: %s notification", ev.Check, ev.Kind))}
	}
}

// rootState is an incident's root message while it is open (bot mode). It is
// rewritten in place as the incident changes, so it describes the incident,
// not the notification that last touched it.
func rootState(ev Event) summary {
	head := joinHead(incidentTag(ev, ""), severityLabel(ev), ev.Check+" failing "+sinceText(ev))
	if ev.AckedBy != "" {
		head += " — 👀 acknowledged by " + ev.AckedBy
	}
	return withLocations(summary{head: head, items: ev.Regressions, mention: ev.Mention}, ev)
}

// rootResolved is the root message once the incident resolved. It drops the
// mention: the edit pings nobody, and a resolved card should not look urgent.
func rootResolved(ev Event) summary {
	head := fmt.Sprintf("✅ %s resolved after %s (was %s)", ev.Check, Humanize(resolvedAfter(ev)), ev.Severity)
	return withLocations(summary{head: joinHead(incidentTag(ev, ""), head), items: ev.Regressions, resolved: true}, ev)
}

// reply is the message posted in an incident's thread: only what is new,
// since the root above it already shows the whole incident.
func reply(ev Event) summary {
	return withLocations(replyOf(ev), ev)
}

func replyOf(ev Event) summary {
	switch ev.Kind {
	case KindUpdated:
		return summary{head: changeText(ev), items: added(ev), mention: ev.Mention}
	case KindReminder:
		return summary{head: reminderText(ev), mention: ev.Mention}
	case KindResolved:
		return summary{head: "✅ recovered after " + Humanize(resolvedAfter(ev))}
	case KindFlapping:
		return summary{head: flappingText(ev)}
	case KindCalm:
		return summary{head: calmText(ev)}
	case KindAcked:
		return summary{head: ackText(ev)}
	case KindEscalated:
		return summary{head: escalatedText(ev), mention: ev.Mention}
	default:
		return standalone(ev)
	}
}

// kindWord names the kind after "Incident #12".
func kindWord(k Kind) string {
	if k == KindUpdated {
		return "update"
	}
	return string(k)
}

// incidentTag is "Incident #12 <word>", or just the word (or "") when the
// event belongs to no incident.
func incidentTag(ev Event, word string) string {
	if ev.IncidentID == 0 {
		return ""
	}
	return strings.TrimSpace(fmt.Sprintf("Incident #%d %s", ev.IncidentID, word))
}

// joinHead joins the non-empty parts of a headline with " — ".
func joinHead(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " — ")
}

// severityLabel names the severity with an emoji and words, so that it never
// depends on colour alone. A bypass (B1, B2) is named as such because it is
// the one alert that must not be mistaken for a flaky endpoint.
func severityLabel(ev Event) string {
	for _, r := range ev.Regressions {
		if id := r.Failure.Assertion.ID; id == "B1" || id == "B2" {
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

// sinceText is "since 21:03 UTC (14m)"; the date is added once the incident
// is older than a day, when the time of day alone would mislead.
func sinceText(ev Event) string {
	return fmt.Sprintf("since %s (%s)", clock(ev.Since, ev.At), Humanize(ev.At.Sub(ev.Since)))
}

func clock(t, now time.Time) string {
	t = t.UTC()
	if now.Sub(t) >= 24*time.Hour {
		return t.Format("Jan 2 15:04 UTC")
	}
	return t.Format("15:04 UTC")
}

func reminderText(ev Event) string {
	return fmt.Sprintf("still failing after %s (since %s)", Humanize(ev.At.Sub(ev.Since)), clock(ev.Since, ev.At))
}

// resolvedAfter is how long the incident lasted; At stands in for Resolved
// in events stored before Resolved existed.
func resolvedAfter(ev Event) time.Duration {
	end := ev.Resolved
	if end.IsZero() {
		end = ev.At
	}
	return end.Sub(ev.Since)
}

// flappingText says how often the check changed and what flapping holds
// back: availability noise only, never a security incident or a resolution.
func flappingText(ev Event) string {
	text := fmt.Sprintf("⚠️ %s is flapping: %d state changes in %s. Availability notifications are "+
		"paused until it is stable for %s; security incidents are still announced and every "+
		"announced incident still gets its resolution", ev.Check, ev.Changes, Humanize(ev.Window), Humanize(ev.Calm))
	return text + coversText(ev.Incidents, ". Covers ")
}

func calmText(ev Event) string {
	status := string(ev.Status)
	if status == "" {
		status = "unknown"
	}
	text := fmt.Sprintf("%s is stable again: now %s", ev.Check, status)
	return text + coversText(ev.Incidents, ". Opened and resolved unannounced while flapping: ")
}

// foldedText explains why an incident was never sent.
func foldedText(ev Event) string {
	why := "while flapping"
	if ev.Reason == "silence" {
		why = "during a silence"
	}
	return fmt.Sprintf("%s: %s incident opened %s and resolved after %s %s; not sent",
		ev.Check, ev.Severity, clock(ev.Since, ev.At), Humanize(resolvedAfter(ev)), why)
}

// coversText is prefix and the incidents as "#12, #13", or "" for none.
func coversText(ids []int64, prefix string) string {
	if len(ids) == 0 {
		return ""
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("incident #%d", id)
	}
	return prefix + strings.Join(parts, ", ")
}

func testText(ev Event) string {
	line := ":wave: authmon test message: Slack notifications are set up"
	if ev.Check != "" {
		line += " (check " + ev.Check + ")"
	}
	return line
}

// Humanize writes a duration coarsely, in its two largest units: "45s",
// "14m", "2h5m", "3d4h". Messages and the dashboard both use it.
func Humanize(d time.Duration) string {
	d = max(d, 0)
	switch {
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

func ackText(ev Event) string {
	return "👀 acknowledged by " + ev.AckedBy + ": no more reminders or escalation; the resolution will still be sent"
}

func escalatedText(ev Event) string {
	return fmt.Sprintf("escalated: failing for %s and not acknowledged", Humanize(ev.At.Sub(ev.Since)))
}
