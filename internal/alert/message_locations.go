package alert

import (
	"strings"
	"time"
)

// withLocations adds how each location of a fleet saw the check to a
// message of ev: a reader must know whether one region or all of them see
// a failure, and which regions could not tell (stale).
func withLocations(m summary, ev Event) summary {
	if ev.Kind == KindTest {
		return m
	}
	m.locations, m.at = ev.Locations, ev.At
	return m
}

// locationsLine is "Locations: eu-west failing · us-east passing · ap-south
// stale (no result for 12m)", or "" for a single monitor.
func locationsLine(ls []LocationStatus, at time.Time) string {
	if len(ls) == 0 {
		return ""
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = clip(l.Location) + " " + locationStatusText(l, at)
	}
	return "Locations: " + strings.Join(parts, " · ")
}

// locationStatusText is the status word; a stale location also says how
// old its latest result was when the event was decided, or that it has none.
func locationStatusText(l LocationStatus, at time.Time) string {
	if l.Status != "stale" {
		return l.Status
	}
	if l.At.IsZero() {
		return "stale (no result)"
	}
	if at.IsZero() || !at.After(l.At) {
		return "stale"
	}
	return "stale (no result for " + Humanize(at.Sub(l.At)) + ")"
}
