// Package opsgenie is the alert channel for the Opsgenie Alerts API: one
// alert per incident (alias), created on open, noted on update and
// reminder, closed on resolution.
package opsgenie

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// APIURL is Opsgenie's API base; EU accounts use https://api.eu.opsgenie.com.
const APIURL = "https://api.opsgenie.com"

// Config is one [channels.NAME] of type opsgenie. APIKey is a secret.
type Config struct {
	APIKey string
	URL    string // API base; "" means APIURL
}

// CreateRequest is the body of POST /v2/alerts.
type CreateRequest struct {
	Message     string            `json:"message"` // at most 130 characters
	Alias       string            `json:"alias"`
	Description string            `json:"description,omitempty"`
	Priority    string            `json:"priority"` // P1..P5
	Source      string            `json:"source"`
	Entity      string            `json:"entity,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
}

// NoteRequest is the body of a close or add-note request.
type NoteRequest struct {
	Source string `json:"source"`
	Note   string `json:"note"`
}

// Notifier sends alerts to Opsgenie.
type Notifier struct {
	cfg    Config
	hc     *http.Client
	red    *redact.Redactor
	prefix string
}

var _ alert.Notifier = (*Notifier)(nil)

// New returns an Opsgenie notifier; red nil means one knowing the key.
func New(name string, cfg Config, hc *http.Client, red *redact.Redactor) *Notifier {
	if cfg.URL == "" {
		cfg.URL = APIURL
	}
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	if red == nil {
		red = redact.New(cfg.APIKey)
	}
	return &Notifier{cfg: cfg, hc: hc, red: red, prefix: "opsgenie " + name}
}

// Notify sends d: an open creates the alert (Opsgenie deduplicates a repeat
// by alias), an update or reminder adds a note to it, a resolution closes
// it. Flapping notices are not sent. A test creates and closes its own.
func (n *Notifier) Notify(ctx context.Context, d alert.Delivery) (alert.Thread, error) {
	ev := alert.RedactEvent(n.red, d.Event)
	alias := alert.IncidentKey(ev)
	r := alert.Render(ev)
	r.Text += fmt.Sprintf(" (authmon n%d)", d.ID) // tells a retried note from a new one
	switch ev.Kind {
	case alert.KindOpened, alert.KindEscalated:
		return alert.Thread{}, n.create(ctx, d.ID, ev, r)
	case alert.KindUpdated, alert.KindReminder, alert.KindAcked:
		return alert.Thread{}, n.post(ctx, "/v2/alerts/"+url.PathEscape(alias)+"/notes?identifierType=alias", NoteRequest{Source: "authmon", Note: clip(r.Text, 25000)})
	case alert.KindResolved:
		return alert.Thread{}, n.post(ctx, "/v2/alerts/"+url.PathEscape(alias)+"/close?identifierType=alias", NoteRequest{Source: "authmon", Note: clip(r.Text, 25000)})
	case alert.KindTest:
		if err := n.create(ctx, d.ID, ev, r); err != nil {
			return alert.Thread{}, err
		}
		return alert.Thread{}, n.post(ctx, "/v2/alerts/"+url.PathEscape(alias)+"/close?identifierType=alias", NoteRequest{Source: "authmon", Note: "test"})
	}
	return alert.Thread{}, nil
}

func (n *Notifier) create(ctx context.Context, id int64, ev alert.Event, r alert.Rendered) error {
	req := CreateRequest{Message: clip(r.Head, 130), Alias: alert.IncidentKey(ev), Description: clip(strings.Join(append([]string{r.Head}, r.Lines...), "\n"), 15000),
		Priority: Priority(ev.Severity), Source: "authmon", Entity: ev.Check, Tags: []string{"authmon", ev.Severity.String()},
		Details: map[string]string{"check": ev.Check, "severity": ev.Severity.String(), "delivery": fmt.Sprint(id)}}
	if ev.DashboardURL != "" {
		req.Details["dashboard"] = ev.DashboardURL
	}
	return n.post(ctx, "/v2/alerts", req)
}

// Priority maps a check severity to Opsgenie's.
func Priority(s checks.Severity) string {
	switch s {
	case checks.SevCritical:
		return "P1"
	case checks.SevHighSec, checks.SevAvail:
		return "P2"
	case checks.SevConf:
		return "P3"
	case checks.SevWarn:
		return "P4"
	}
	return "P5"
}

func (n *Notifier) post(ctx context.Context, path string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return alert.Permanent(fmt.Errorf("%s: %w", n.prefix, err))
	}
	h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"GenieKey " + n.cfg.APIKey}}
	_, err = alert.PostHTTP(ctx, n.hc, n.red, n.prefix, n.cfg.URL+path, h, body)
	return err
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
