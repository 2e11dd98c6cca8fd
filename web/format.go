package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// state is a check's state as the dashboard shows it.
type state string

const (
	statePassing state = "passing"
	stateFailing state = "failing"
	statePending state = "pending"
)

// icon goes next to the state's name: state is never told by colour alone.
func (s state) icon() string {
	switch s {
	case statePassing:
		return "✔"
	case stateFailing:
		return "✖"
	default:
		return "…"
	}
}

// mark is the verdict in one cell of the probe matrix.
type mark string

const (
	markPass    mark = "pass"
	markFail    mark = "fail"
	markPending mark = "pending" // configured, no result yet
	markNone    mark = "none"    // not configured for this check
)

// probeCell is one cell of the probe matrix.
type probeCell struct {
	Kind    checks.ProbeKind
	Mark    mark
	Reasons string // failed assertions, one a line
}

// title is the cell's tooltip: the probe, and why it shows what it shows.
func (c probeCell) title() string {
	switch c.Mark {
	case markPass:
		return "passed " + c.Kind.Phrase()
	case markFail:
		return "failed " + c.Kind.Phrase() + ":\n" + c.Reasons
	case markPending:
		return string(c.Kind) + ": no result yet"
	default:
		return string(c.Kind) + ": not configured for this check"
	}
}

// appendUptime writes a window's uptime, "99.93 %", or "—" without runs.
func appendUptime(b []byte, w store.Window) []byte {
	if w.Runs == 0 {
		return append(b, "—"...)
	}
	return append(strconv.AppendFloat(b, w.Uptime(), 'f', 2, 64), " %"...)
}

// appendUptimeTitle says what the uptime figure counts, e.g. "1438 of 1440
// runs passed in 24 h".
func appendUptimeTitle(b []byte, w store.Window, span string) []byte {
	if w.Runs == 0 {
		return append(append(b, "no runs in "...), span...)
	}
	b = strconv.AppendInt(b, w.Runs-w.Failed, 10)
	b = append(b, " of "...)
	b = strconv.AppendInt(b, w.Runs, 10)
	b = append(b, " runs passed in "...)
	return append(b, span...)
}

// p95Text is a window's p95 latency, or "—" without runs.
func p95Text(w store.Window) string {
	if w.Runs == 0 {
		return "—"
	}
	return ms(w.P95)
}

// timeLayout is how the dashboard writes times: UTC, to the second.
const timeLayout = "2006-01-02 15:04:05 UTC"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ago says how long before now t was, coarsely, e.g. "12s ago".
func ago(now, t time.Time) string {
	d := now.Sub(t)
	n, unit := int64(0), ""
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		n, unit = int64(d/time.Second), "s ago"
	case d < time.Hour:
		n, unit = int64(d/time.Minute), "m ago"
	case d < 48*time.Hour:
		n, unit = int64(d/time.Hour), "h ago"
	default:
		n, unit = int64(d/(24*time.Hour)), "d ago"
	}
	return strconv.FormatInt(n, 10) + unit
}

// ms writes a duration in milliseconds, the unit people compare, with one
// decimal below 10 ms so that a fast loopback answer does not read "0 ms".
func ms(d time.Duration) string { return string(appendMs(nil, d)) }

func appendMs(b []byte, d time.Duration) []byte {
	if d < 10*time.Millisecond {
		b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 1, 64)
	} else {
		b = strconv.AppendInt(b, d.Milliseconds(), 10)
	}
	return append(b, " ms"...)
}

// statusLine is "401 Unauthorized", without repeating a code that the
// recorded status text already starts with.
func statusLine(p checks.ProbeResult) string {
	if p.Status == 0 {
		return "no response"
	}
	code := strconv.Itoa(p.Status)
	text := strings.TrimSpace(strings.TrimPrefix(p.StatusText, code))
	return strings.TrimSpace(code + " " + text)
}

// checkHref is the path of a check's page; names may hold any character.
func checkHref(name string) string { return "/checks/" + url.PathEscape(name) }

// channelLabel names a notification's channel: a [channels.NAME], or the
// default one ([slack], else the log).
func channelLabel(name string) string {
	if name == "" {
		return "default"
	}
	return name
}

// delivery says where a notification stands, e.g. "sent at …".
func delivery(n store.Notification) string {
	switch {
	case !n.Sent.IsZero() && n.Event.Kind == alert.KindFolded:
		return "not sent, logged at " + fmtTime(n.Sent)
	case !n.Sent.IsZero():
		return "sent at " + fmtTime(n.Sent)
	case n.Failed:
		return "failed: " + n.LastError
	case n.Attempts == 0:
		return "pending: not tried yet"
	default:
		return fmt.Sprintf("pending: attempt %d, last error: %s", n.Attempts, n.LastError)
	}
}

// deliveryClass lets the stylesheet tell failed deliveries apart.
func deliveryClass(n store.Notification) string {
	switch {
	case !n.Sent.IsZero():
		return "delivery sent"
	case n.Failed:
		return "delivery failed"
	default:
		return "delivery pending"
	}
}

// kindLabel names an alert's kind with an icon, as the state column does.
func kindLabel(k alert.Kind) string {
	switch k {
	case alert.KindOpened:
		return "✖ opened"
	case alert.KindUpdated:
		return "✖ updated"
	case alert.KindReminder:
		return "✖ reminder"
	case alert.KindResolved:
		return "✔ resolved"
	case alert.KindFlapping:
		return "⚠ flapping"
	case alert.KindCalm:
		return "✔ calm"
	case alert.KindFolded:
		return "· folded (not sent)"
	default:
		return string(k)
	}
}
