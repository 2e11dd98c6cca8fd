package store

import (
	"errors"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// Run is a stored check run. A passing run whose outcomes equal the previous
// run's shares its evidence: its Probes are that earlier run's (with their
// latencies), and EvidenceFrom says when that run started.
type Run struct {
	ID int64
	checks.Result
	EvidenceFrom time.Time // zero when the probes are this run's own
	// Repeats counts the later passing runs folded into this row (fold.go):
	// the same outcome, LastStarted the start of the newest, MaxDuration
	// the slowest of the row's runs. Zero for a run with a row of its own.
	Repeats     int64
	LastStarted time.Time
	MaxDuration time.Duration
}

// Runs is how many runs the row stands for.
func (r Run) Runs() int64 { return 1 + r.Repeats }

// CheckSummary is one line of the overview: a check's alert state and its
// latest run, if any.
type CheckSummary struct {
	Name  string
	State alert.State
	Last  *Run // nil before the first run
}

// IncidentRecord is a stored incident with its delivery history.
type IncidentRecord struct {
	alert.Incident
	Thread        alert.Thread   // root Slack message, once posted (bot mode)
	AckedBy       string         // who acknowledged it; "" nobody
	Acked         time.Time      // when; zero if nobody did
	Latest        *Notification  // the latest notification queued for it; nil if none
	Notifications []Notification // oldest first; filled by Incident(ctx, id) only
}

// Notification is one outbox row: an alert event and its delivery state.
type Notification struct {
	ID        int64
	Event     alert.Event
	Created   time.Time
	Attempts  int
	NextTry   time.Time
	Sent      time.Time // zero until delivered
	LastError string    // redacted; set after a failed attempt
	Failed    bool      // gave up: a permanent error such as channel_not_found
	Channel   string    // the named channel it is bound for; "" the default
}
