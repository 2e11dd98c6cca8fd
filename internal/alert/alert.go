// Package alert turns check runs into incidents (Decide, pure) and delivers
// the resulting notifications through a durable outbox to the log or to a
// channel's adapter, each a package of its own (alert/slack, alert/webhook,
// …) behind Notifier.
package alert

import (
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// Status is the verdict of a check's latest run.
type Status string

const (
	StatusUnknown Status = ""        // never run
	StatusPassing Status = "passing" // the last run passed every assertion
	StatusFailing Status = "failing" // the last run failed at least one assertion
)

// State is everything the monitor remembers about a check between runs. It
// lives in the store, so that a restart neither forgets an incident nor
// alerts again, and reminders keep their schedule.
type State struct {
	Check    string          `json:"check"`
	Status   Status          `json:"status"`
	Since    time.Time       `json:"since"`    // when Status last changed
	Severity checks.Severity `json:"severity"` // worst failure of the last run
	Failing  []string        `json:"failing"`  // "probe/assertion" keys failing in the last run

	FailStreak int       `json:"fail_streak"` // consecutive failed runs
	PassStreak int       `json:"pass_streak"` // consecutive passed runs
	Streak     *Snapshot `json:"streak"`      // first run of the current failing streak
	LastPass   *Snapshot `json:"last_pass"`   // latest passing run: the "before" evidence

	Changes  []time.Time `json:"changes"` // status changes inside the flap window
	Flapping bool        `json:"flapping"`
	// FlapNoticed is set once the "flapping" notice is queued, until its
	// "stable again": either may wait for the end of a silence.
	FlapNoticed bool `json:"flap_noticed,omitempty"`
	// FlapCount is the most status changes seen in the window while flapping.
	FlapCount int `json:"flap_count,omitempty"`
	// Folded are the incidents that opened and resolved unannounced while
	// flapping: the "stable again" notice names them.
	Folded []int64 `json:"folded,omitempty"`

	Incident *Incident `json:"incident"` // the open incident, if any
}

// Snapshot is the compact evidence of one run: what each assertion got.
type Snapshot struct {
	RunID    int64             `json:"run_id"`
	At       time.Time         `json:"at"`
	Got      map[string]string `json:"got"` // "probe/assertion" -> got
	Failures []checks.Failure  `json:"failures,omitempty"`
}

// Incident is one regression of one check, from its first failing run until
// it resolves.
type Incident struct {
	ID           int64           `json:"id"` // assigned by the store
	Check        string          `json:"check"`
	Severity     checks.Severity `json:"severity"` // worst involved so far
	Regressions  []Regression    `json:"regressions"`
	Opened       time.Time       `json:"opened"` // start of the first failing run
	FirstFailRun int64           `json:"first_fail_run"`
	LastFailRun  int64           `json:"last_fail_run"`
	LastFail     time.Time       `json:"last_fail"`
	BeforeRun    int64           `json:"before_run"` // last passing run before it; 0 if none
	Resolved     time.Time       `json:"resolved"`   // zero while open
	// Announced is set once the "opened" notification is queued; an incident
	// that opened during a silence is announced when the silence ends.
	Announced    bool      `json:"announced"`
	Silenced     bool      `json:"silenced"` // a silence covered it at some point
	NextReminder time.Time `json:"next_reminder"`
	Channel      string    `json:"channel"` // routed when opened; the thread stays there
	// Escalated is set once the escalation notice is queued: from then on
	// every notification of the incident also goes to the escalation's
	// channels, so that what was paged is also resolved.
	Escalated   bool     `json:"escalated,omitempty"`
	EscalatedTo []string `json:"escalated_to,omitempty"`
}

// Open reports whether the incident is still open.
func (i *Incident) Open() bool { return i.Resolved.IsZero() }

// Regression is one assertion that failed during an incident.
type Regression struct {
	Key     string         `json:"key"` // "probe/assertion"
	Failure checks.Failure `json:"failure"`
	Before  string         `json:"before"` // what the last passing run got; "" unknown
}

// Kind says what a notification announces.
type Kind string

const (
	KindOpened   Kind = "opened"   // an incident opened (or a silence ended on it)
	KindUpdated  Kind = "updated"  // more assertions failed or the severity rose
	KindReminder Kind = "reminder" // still open after the reminder interval
	KindResolved Kind = "resolved" // recovered
	KindFlapping Kind = "flapping" // changing state too often: quiet until calm
	KindCalm     Kind = "calm"     // stable again after flapping
	// KindFolded records an incident that opened and resolved while quiet
	// (flapping or silenced): never sent, only logged and kept in the outbox.
	KindFolded Kind = "folded"
	KindTest   Kind = "test" // `monitor alert test`
	// KindAcked says someone acknowledged the incident: no more reminders
	// or escalation; the resolution is still sent.
	KindAcked Kind = "acknowledged"
	// KindEscalated routes an incident nobody acknowledged in time to the
	// escalation's channels.
	KindEscalated Kind = "escalated"
)

// Event is one notification to send. It holds only redacted evidence: it is
// stored in the outbox as JSON and rendered when delivered.
type Event struct {
	Kind       Kind            `json:"kind"`
	Check      string          `json:"check"`
	IncidentID int64           `json:"incident_id,omitempty"` // filled in by the store
	Severity   checks.Severity `json:"severity"`
	At         time.Time       `json:"at"`    // the run that caused it
	Since      time.Time       `json:"since"` // the incident's first failing run
	Resolved   time.Time       `json:"resolved,omitempty"`
	// Regressions are the failed assertions with their before → now evidence.
	Regressions []Regression `json:"regressions,omitempty"`
	Added       []string     `json:"added,omitempty"`   // keys new in an update
	Status      Status       `json:"status,omitempty"`  // the check's state (calm)
	Channel     string       `json:"channel,omitempty"` // Slack channel of the default [slack]; "" its default
	// Channels are the named channels ([channels.NAME]) the event goes to:
	// the store queues one outbox row for each, or one for DefaultChannel
	// when it is empty.
	Channels []string `json:"channels,omitempty"`
	Mention  string   `json:"mention,omitempty"` // e.g. "<!here>", critical only
	// Changes, Window and Calm describe flapping: the status changes counted
	// in the window, and how long the check must stay stable to end it.
	Changes int           `json:"changes,omitempty"`
	Window  time.Duration `json:"window,omitempty"`
	Calm    time.Duration `json:"calm,omitempty"`
	// Incidents are those a flapping or "stable again" notice covers.
	Incidents []int64 `json:"incidents,omitempty"`
	Reason    string  `json:"reason,omitempty"` // why a folded incident was not sent
	// AckedBy names who acknowledged the incident; "" while nobody has.
	AckedBy string `json:"acked_by,omitempty"`
	// DashboardURL links to the check's page when a public URL is configured.
	DashboardURL string `json:"dashboard_url,omitempty"`
	// Locations is how each location of a fleet saw the check when the
	// event was decided; empty for a single monitor.
	Locations []LocationStatus `json:"locations,omitempty"`
}

// Failures lists the events' failed assertions, for messages and the log.
func (e Event) Failures() []checks.Failure {
	out := make([]checks.Failure, len(e.Regressions))
	for i, r := range e.Regressions {
		out[i] = r.Failure
	}
	return out
}
