package webhook

import (
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// Version is the version of the JSON body: it changes only when a field is
// removed or changes meaning (new fields may appear in any version).
const Version = 1

// Payload is the JSON body of a webhook notification, version 1. It is also
// the value a body_template is executed with. README "Notifications"
// documents every field.
type Payload struct {
	Version      int          `json:"version"`
	Delivery     int64        `json:"delivery"` // the outbox row: the same on every retry
	Kind         string       `json:"kind"`     // opened, updated, reminder, resolved, flapping, calm, test
	Text         string       `json:"text"`     // the whole notification on one line
	Check        string       `json:"check"`
	Severity     string       `json:"severity"`
	At           time.Time    `json:"at"`
	Incident     *Incident    `json:"incident,omitempty"`
	Regressions  []Regression `json:"regressions"`
	DashboardURL string       `json:"dashboard_url,omitempty"`
	// Locations is how each location of a fleet saw the check when the
	// notification was decided; empty for a single monitor.
	Locations []Location `json:"locations"`
}

// Location is one location's view of the check.
type Location struct {
	Location string     `json:"location"`
	Status   string     `json:"status"`       // failing, passing or stale
	At       *time.Time `json:"at,omitempty"` // its latest run; absent when it has none
}

// Incident identifies the incident a notification is about.
type Incident struct {
	ID       int64      `json:"id"`
	Key      string     `json:"key"`   // stable: authmon-incident-<id>
	State    string     `json:"state"` // open or resolved
	Opened   time.Time  `json:"opened"`
	Resolved *time.Time `json:"resolved,omitempty"`
}

// Regression is one failed assertion, before → now.
type Regression struct {
	Key       string `json:"key"`       // probe/assertion
	Assertion string `json:"assertion"` // catalogue id, e.g. B1
	Ref       string `json:"ref,omitempty"`
	Severity  string `json:"severity"`
	Method    string `json:"method"`
	URL       string `json:"url"`
	Expected  string `json:"expected"`
	Before    string `json:"before"` // what the last passing run got; "" unknown
	Now       string `json:"now"`
	Reason    string `json:"reason"`
}

// NewPayload builds the body of delivery d, whose event is redacted.
func NewPayload(d alert.Delivery) Payload {
	ev := d.Event
	p := Payload{Version: Version, Delivery: d.ID, Kind: string(ev.Kind), Text: alert.Render(ev).Text,
		Check: ev.Check, Severity: ev.Severity.String(), At: ev.At.UTC(), DashboardURL: ev.DashboardURL,
		Regressions: []Regression{}, Locations: []Location{}}
	for _, l := range ev.Locations {
		loc := Location{Location: l.Location, Status: l.Status}
		if !l.At.IsZero() {
			at := l.At.UTC()
			loc.At = &at
		}
		p.Locations = append(p.Locations, loc)
	}
	if ev.IncidentID != 0 {
		inc := &Incident{ID: ev.IncidentID, Key: alert.IncidentKey(ev), State: "open", Opened: ev.Since.UTC()}
		if ev.Kind == alert.KindResolved {
			r := ev.Resolved.UTC()
			if ev.Resolved.IsZero() {
				r = ev.At.UTC()
			}
			inc.State, inc.Resolved = "resolved", &r
		}
		p.Incident = inc
	}
	for _, r := range ev.Regressions {
		a := r.Failure.Assertion
		p.Regressions = append(p.Regressions, Regression{Key: r.Key, Assertion: a.ID, Ref: a.Ref,
			Severity: a.Severity.String(), Method: r.Failure.Method, URL: r.Failure.URL, Expected: a.Expected,
			Before: r.Before, Now: a.Got, Reason: a.Reason})
	}
	return p
}
