package alert

import (
	"time"

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/checks"
)

// Policy says when a check's failures become an incident and who hears of
// it. Config builds one per check.
type Policy struct {
	FailureThreshold int           // consecutive failed runs that open an incident (≥ 1)
	SuccessThreshold int           // consecutive passed runs that resolve it (≥ 1)
	Reminder         time.Duration // remind while open; 0 is off
	FlapChanges      int           // status changes inside FlapWindow that mean flapping; 0 is off
	FlapWindow       time.Duration
	FlapCalm         time.Duration // no change for this long ends flapping
	Silences         []Silence     // those that apply to this check

	Channel          string                     // the check's own channel; "" routes by severity
	SeverityChannels map[checks.Severity]string // severity -> channel
	Mention          string                     // added to critical-security incidents only
	// Routes are the named channels that take this check's incidents, by
	// severity (RouteSeverities); none sends to the default channel.
	Routes map[checks.Severity][]string
	// Escalations route an incident nobody acknowledged to more channels
	// after a while; the first that matches its severity applies.
	Escalations []Escalation
	// AckedBy is set (by the pipeline, from the store) when the check's
	// open incident was acknowledged: it stops reminders and escalation.
	AckedBy      string
	DashboardURL string // this check's page, or ""
}

// DefaultPolicy is the policy of a check that configures nothing.
func DefaultPolicy() Policy {
	return Policy{FailureThreshold: 2, SuccessThreshold: 2, FlapChanges: 6,
		FlapWindow: 30 * time.Minute, FlapCalm: 30 * time.Minute}
}

// channelFor routes an incident of this severity: the check's own channel,
// else the severity's, else "" (the notifier's default).
func (p Policy) channelFor(sev checks.Severity) string {
	if p.Channel != "" {
		return p.Channel
	}
	return p.SeverityChannels[sev]
}

// silenced reports whether any silence covers t.
func (p Policy) silenced(t time.Time) bool {
	for _, s := range p.Silences {
		if s.Active(t) {
			return true
		}
	}
	return false
}

// Silence is a maintenance window: a fixed time range, or a recurring one
// that starts on a cron schedule and lasts Duration.
type Silence struct {
	Start, End time.Time     // fixed range [Start, End)
	Schedule   cron.Schedule // recurring start times (UTC)
	Duration   time.Duration // of each recurrence
	Reason     string
}

// Active reports whether the silence covers t.
func (s Silence) Active(t time.Time) bool {
	if s.Schedule != nil {
		// A recurrence covers t if one started in (t-Duration, t]: the first
		// start after t-Duration is then no later than t.
		return !s.Schedule.Next(t.Add(-s.Duration)).After(t)
	}
	return !t.Before(s.Start) && t.Before(s.End)
}

// Until returns when the window covering t ends; t itself when none does.
func (s Silence) Until(t time.Time) time.Time {
	if !s.Active(t) {
		return t
	}
	if s.Schedule != nil {
		return s.Schedule.Next(t.Add(-s.Duration)).Add(s.Duration)
	}
	return s.End
}

// ActiveSilences returns the silences of p that cover t.
func (p Policy) ActiveSilences(t time.Time) []Silence {
	var out []Silence
	for _, s := range p.Silences {
		if s.Active(t) {
			out = append(out, s)
		}
	}
	return out
}

// Escalation sends an unacknowledged incident of these severities (none:
// all) to more channels once it has been open for After.
type Escalation struct {
	Severities []checks.Severity
	After      time.Duration
	To         []string
}

// escalationFor returns the escalation that applies to sev, if any.
func (p Policy) escalationFor(sev checks.Severity) (Escalation, bool) {
	for _, e := range p.Escalations {
		if len(e.Severities) == 0 || contains(e.Severities, sev) {
			return e, true
		}
	}
	return Escalation{}, false
}
