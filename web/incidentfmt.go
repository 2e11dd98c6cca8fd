package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// incidentHref is the path of an incident's page.
func incidentHref(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) }

// idText writes an incident or run id as people say it, e.g. "#12".
func idText(id int64) string { return "#" + strconv.FormatInt(id, 10) }

// runAnchor is the fragment of a run on its check's page.
func runAnchor(id int64) string { return "run-" + strconv.FormatInt(id, 10) }

// runHref points at a run on its check's page, which lists the latest runs.
func runHref(check string, id int64) string { return checkHref(check) + "#" + runAnchor(id) }

// incidentState is "open" or "resolved", for classes and test hooks.
func incidentState(inc alert.Incident) string {
	if inc.Open() {
		return "open"
	}
	return "resolved"
}

// incidentMark is the state with its icon: never told by colour alone.
func incidentMark(inc alert.Incident) string {
	if inc.Open() {
		return "✖ open"
	}
	return "✔ resolved"
}

// incidentSpan is how long the incident lasted, or has lasted so far.
func incidentSpan(inc alert.Incident, now time.Time) string {
	end := inc.Resolved
	if inc.Open() {
		end = now
	}
	return alert.Humanize(end.Sub(inc.Opened))
}

// incidentFlags lists what is unusual about an incident's notifications.
func incidentFlags(inc alert.Incident) []string {
	var flags []string
	if inc.Silenced {
		flags = append(flags, "silenced")
	}
	if !inc.Announced {
		flags = append(flags, "not announced")
	}
	return flags
}

// regressionCount is e.g. "2 assertions".
func regressionCount(inc alert.Incident) string {
	if len(inc.Regressions) == 1 {
		return "1 assertion"
	}
	return strconv.Itoa(len(inc.Regressions)) + " assertions"
}

// firstReason is the reason of the first assertion that regressed.
func firstReason(inc alert.Incident) string {
	if len(inc.Regressions) == 0 {
		return ""
	}
	return inc.Regressions[0].Failure.Assertion.Reason
}

// orDash shows an unknown value as a dash rather than as nothing.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// channelText names where an incident's notifications go.
func channelText(ch string) string {
	if ch == "" {
		return "default"
	}
	return ch
}

// groupTitle heads a group of incidents, e.g. "Open (2)".
func groupTitle(g incidentGroup) string {
	title := "Open"
	if g.State == "resolved" {
		title = "Resolved"
	}
	return fmt.Sprintf("%s (%d)", title, len(g.Rows))
}

// incidentCount is the sentence above the incidents, e.g. "2 open, 5 resolved".
func incidentCount(groups []incidentGroup, full bool) string {
	n := map[string]int{}
	for _, g := range groups {
		n[g.State] = len(g.Rows)
	}
	s := fmt.Sprintf("%d open, %d resolved", n["open"], n["resolved"])
	if full {
		s += fmt.Sprintf(" (the latest %d)", incidentsPerPage)
	}
	return s
}
