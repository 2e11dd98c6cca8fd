// Package teams is the alert channel for Microsoft Teams through a
// Workflows webhook: each notification is an Adaptive Card.
package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// Config is one [channels.NAME] of type teams. The URL is a secret (its
// query carries the workflow's signature).
type Config struct {
	URL string
}

// Message is the body a Workflows "when a Teams webhook request is
// received" trigger takes: a message with one Adaptive Card attachment.
type Message struct {
	Type        string       `json:"type"` // "message"
	Attachments []Attachment `json:"attachments"`
}

// Attachment holds the card.
type Attachment struct {
	ContentType string `json:"contentType"` // application/vnd.microsoft.card.adaptive
	ContentURL  any    `json:"contentUrl"`  // null
	Content     Card   `json:"content"`
}

// Card is an Adaptive Card, version 1.4.
type Card struct {
	Schema  string           `json:"$schema"`
	Type    string           `json:"type"` // AdaptiveCard
	Version string           `json:"version"`
	Body    []map[string]any `json:"body"`
	Actions []map[string]any `json:"actions,omitempty"`
}

// CardContentType is the attachment's content type.
const CardContentType = "application/vnd.microsoft.card.adaptive"

// Notifier posts cards to a Teams workflow.
type Notifier struct {
	cfg    Config
	hc     *http.Client
	red    *redact.Redactor
	prefix string
}

var _ alert.Notifier = (*Notifier)(nil)

// New returns a Teams notifier; red nil means one knowing the URL.
func New(name string, cfg Config, hc *http.Client, red *redact.Redactor) *Notifier {
	if red == nil {
		red = redact.New(redact.URLSecrets(cfg.URL)...)
	}
	return &Notifier{cfg: cfg, hc: hc, red: red, prefix: "teams " + name}
}

// Notify posts d as a card. Teams cannot thread or edit through a
// workflow: every notification is a card of its own naming its incident.
func (n *Notifier) Notify(ctx context.Context, d alert.Delivery) (alert.Thread, error) {
	ev := alert.RedactEvent(n.red, d.Event)
	body, err := json.Marshal(NewMessage(d.ID, ev))
	if err != nil {
		return alert.Thread{}, alert.Permanent(fmt.Errorf("%s: %w", n.prefix, err))
	}
	_, err = alert.PostHTTP(ctx, n.hc, n.red, n.prefix, n.cfg.URL, http.Header{"Content-Type": {"application/json"}}, body)
	return alert.Thread{}, err
}

// NewMessage builds the card of delivery id for ev (already redacted).
func NewMessage(id int64, ev alert.Event) Message {
	r := alert.Render(ev)
	body := []map[string]any{{"type": "TextBlock", "text": r.Head, "wrap": true, "weight": "Bolder",
		"size": "Medium", "color": color(ev)}}
	for _, l := range r.Lines {
		body = append(body, map[string]any{"type": "TextBlock", "text": l, "wrap": true})
	}
	if r.More > 0 {
		body = append(body, map[string]any{"type": "TextBlock", "text": fmt.Sprintf("and %d more", r.More), "wrap": true, "isSubtle": true})
	}
	facts := []map[string]string{{"title": "Check", "value": ev.Check}, {"title": "Severity", "value": ev.Severity.String()}}
	if ev.IncidentID != 0 {
		facts = append(facts, map[string]string{"title": "Incident", "value": alert.IncidentKey(ev)})
	}
	facts = append(facts, map[string]string{"title": "Notification", "value": fmt.Sprintf("n%d", id)})
	body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	card := Card{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4", Body: body}
	if ev.DashboardURL != "" {
		card.Actions = []map[string]any{{"type": "Action.OpenUrl", "title": "Open in authmon", "url": ev.DashboardURL}}
	}
	return Message{Type: "message", Attachments: []Attachment{{ContentType: CardContentType, Content: card}}}
}

// color is the headline's colour: red for an open security incident.
func color(ev alert.Event) string {
	switch {
	case ev.Kind == alert.KindResolved || ev.Kind == alert.KindCalm:
		return "Good"
	case ev.Severity >= checks.SevHighSec:
		return "Attention"
	case ev.Severity >= checks.SevAvail:
		return "Warning"
	}
	return "Default"
}
