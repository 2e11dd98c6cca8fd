package web

import (
	"strconv"
	"time"
)

// statusTabTitle leads with the state, so that a background tab tells.
func statusTabTitle(s statusSnapshot) string {
	return stateLabel(s.State) + " · " + s.Title
}

func bannerText(state string) string {
	switch state {
	case stateOperational:
		return "All systems operational"
	case stateDegraded:
		return "Some systems are degraded"
	case stateOutage:
		return "Some systems are down"
	}
	return "No status yet: the first checks have not run"
}

func stateLabel(state string) string {
	switch state {
	case stateOperational:
		return "Operational"
	case stateDegraded:
		return "Degraded"
	case stateOutage:
		return "Outage"
	}
	return "No data yet"
}

// stateMark repeats the state as a shape, for readers who cannot tell the
// colours apart.
func stateMark(state string) string {
	switch state {
	case stateOperational:
		return "✔"
	case stateDegraded:
		return "▲"
	case stateOutage:
		return "✖"
	}
	return "…"
}

// The phases of an incident a note may announce, in their usual order.
var notePhases = []string{"investigating", "identified", "monitoring", "resolved"}

func phaseLabel(p string) string {
	switch p {
	case "investigating":
		return "Investigating"
	case "identified":
		return "Identified"
	case "monitoring":
		return "Monitoring"
	case "resolved":
		return "Resolved"
	}
	return "Update"
}

// noteTime is minutes in UTC: customers are anywhere.
func noteTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func dayTitle(d statusDay) string {
	date := d.Date.Format("Jan 2, 2006")
	if d.Runs == 0 {
		return date + ": no data"
	}
	return date + ": " + percentText(d.uptime()) + " uptime"
}

func uptimeText(c statusComponentView) string {
	if !c.HasRuns {
		return "no data"
	}
	return percentText(c.Uptime) + " uptime (90 days)"
}

// percentText shows two decimals, never rounding a failure up to 100 %.
func percentText(v float64) string {
	if v < 100 && v > 99.99 {
		return "99.99 %"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + " %"
}
