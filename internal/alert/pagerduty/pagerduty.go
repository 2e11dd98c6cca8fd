// Package pagerduty is the alert channel for PagerDuty's Events API v2: one
// alert per incident (dedup_key), triggered on open, update and reminder,
// resolved on resolution.
package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// EventsURL is the Events API v2 endpoint.
const EventsURL = "https://events.pagerduty.com/v2/enqueue"

// Config is one [channels.NAME] of type pagerduty. RoutingKey is a secret.
type Config struct {
	RoutingKey string // the integration key of a service
	URL        string // "" means EventsURL
}

// Event is the Events API v2 request body.
type Event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"` // trigger or resolve
	DedupKey    string   `json:"dedup_key"`
	Payload     *Payload `json:"payload,omitempty"` // trigger only
	Client      string   `json:"client,omitempty"`
	ClientURL   string   `json:"client_url,omitempty"`
	Links       []Link   `json:"links,omitempty"`
}

// Payload describes the alert of a trigger.
type Payload struct {
	Summary       string         `json:"summary"` // at most 1024 characters
	Source        string         `json:"source"`
	Severity      string         `json:"severity"` // critical, error, warning or info
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// Link is a link shown on the PagerDuty incident.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// Notifier sends events to PagerDuty.
type Notifier struct {
	cfg    Config
	hc     *http.Client
	red    *redact.Redactor
	prefix string
}

var _ alert.Notifier = (*Notifier)(nil)

// New returns a PagerDuty notifier; red nil means one knowing the key.
func New(name string, cfg Config, hc *http.Client, red *redact.Redactor) *Notifier {
	if cfg.URL == "" {
		cfg.URL = EventsURL
	}
	if red == nil {
		red = redact.New(cfg.RoutingKey)
	}
	return &Notifier{cfg: cfg, hc: hc, red: red, prefix: "pagerduty " + name}
}

// Notify sends d. Notices that page nobody (flapping, calm, an
// acknowledgement in authmon, which PagerDuty keeps apart) are not sent:
// PagerDuty's alert stays as the incident left it. A test triggers and
// resolves an alert of its own.
func (n *Notifier) Notify(ctx context.Context, d alert.Delivery) (alert.Thread, error) {
	ev := alert.RedactEvent(n.red, d.Event)
	switch ev.Kind {
	case alert.KindOpened, alert.KindUpdated, alert.KindReminder, alert.KindEscalated:
		return alert.Thread{}, n.send(ctx, n.trigger(ev))
	case alert.KindResolved:
		return alert.Thread{}, n.send(ctx, Event{RoutingKey: n.cfg.RoutingKey, EventAction: "resolve", DedupKey: alert.IncidentKey(ev)})
	case alert.KindTest:
		if err := n.send(ctx, n.trigger(ev)); err != nil {
			return alert.Thread{}, err
		}
		return alert.Thread{}, n.send(ctx, Event{RoutingKey: n.cfg.RoutingKey, EventAction: "resolve", DedupKey: alert.IncidentKey(ev)})
	}
	return alert.Thread{}, nil
}

func (n *Notifier) trigger(ev alert.Event) Event {
	r := alert.Render(ev)
	e := Event{RoutingKey: n.cfg.RoutingKey, EventAction: "trigger", DedupKey: alert.IncidentKey(ev), Client: "authmon",
		Payload: &Payload{Summary: clip(r.Head, 1024), Source: "authmon", Severity: Severity(ev.Severity),
			Timestamp: ev.At.UTC().Format(time.RFC3339), Component: ev.Check, Class: string(ev.Kind),
			CustomDetails: map[string]any{"kind": string(ev.Kind), "incident": ev.IncidentID, "regressions": r.Lines}}}
	if ev.DashboardURL != "" {
		e.ClientURL = ev.DashboardURL
		e.Links = []Link{{Href: ev.DashboardURL, Text: "authmon: " + ev.Check}}
	}
	return e
}

// Severity maps a check severity to PagerDuty's.
func Severity(s checks.Severity) string {
	switch s {
	case checks.SevCritical:
		return "critical"
	case checks.SevHighSec, checks.SevAvail:
		return "error"
	case checks.SevConf, checks.SevWarn:
		return "warning"
	}
	return "info"
}

func (n *Notifier) send(ctx context.Context, e Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return alert.Permanent(fmt.Errorf("%s: %w", n.prefix, err))
	}
	h := http.Header{"Content-Type": {"application/json"}}
	_, err = alert.PostHTTP(ctx, n.hc, n.red, n.prefix, n.cfg.URL, h, body)
	return err
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
