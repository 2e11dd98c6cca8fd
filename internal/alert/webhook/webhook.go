// Package webhook is the alert channel that POSTs a signed, versioned JSON
// body (or one made from a Go template) to any HTTP endpoint.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"text/template"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/redact"
)

// Header names of a webhook request.
const (
	HeaderSignature = "X-Authmon-Signature" // t=<unix seconds>,v1=<hex HMAC-SHA256>
	HeaderDelivery  = "X-Authmon-Delivery"  // the outbox row: the same on every retry
	HeaderEvent     = "X-Authmon-Event"     // the kind
)

// Config is one [channels.NAME] of type webhook. Secret and the header
// values are secrets.
type Config struct {
	URL          string
	Secret       string // HMAC-SHA256 key
	Headers      map[string]string
	BodyTemplate string // a text/template over Payload; "" sends Payload as JSON
	ContentType  string // of a templated body; default application/json
}

// Notifier posts notifications to a webhook.
type Notifier struct {
	cfg    Config
	tmpl   *template.Template
	hc     *http.Client
	red    *redact.Redactor
	now    func() time.Time
	prefix string
}

var _ alert.Notifier = (*Notifier)(nil)

// New returns a webhook notifier; an invalid body template is an error.
// red redacts every text that leaves (nil: one knowing cfg's secrets).
func New(name string, cfg Config, hc *http.Client, red *redact.Redactor, now func() time.Time) (*Notifier, error) {
	n := &Notifier{cfg: cfg, hc: hc, red: red, now: now, prefix: "webhook " + name}
	if n.red == nil {
		n.red = redact.New(Secrets(cfg)...)
	}
	if n.now == nil {
		n.now = time.Now
	}
	if cfg.BodyTemplate != "" {
		t, err := template.New(name).Option("missingkey=error").Parse(cfg.BodyTemplate)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: body_template: %w", name, err)
		}
		n.tmpl = t
	}
	return n, nil
}

// Secrets lists cfg's values that must never be shown.
func Secrets(cfg Config) []string {
	out := append(redact.URLSecrets(cfg.URL), cfg.Secret)
	for _, v := range cfg.Headers {
		out = append(out, v)
	}
	return out
}

// Notify posts d. A 2xx answer is delivered; see alert.PostHTTP for the
// rest. Each attempt is signed afresh, with the time it leaves.
func (n *Notifier) Notify(ctx context.Context, d alert.Delivery) (alert.Thread, error) {
	d.Event = alert.RedactEvent(n.red, d.Event)
	body, ctype, err := n.body(d)
	if err != nil {
		return alert.Thread{}, alert.Permanent(fmt.Errorf("%s: %s", n.prefix, n.red.String(err.Error())))
	}
	h := http.Header{}
	for k, v := range n.cfg.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", ctype)
	h.Set("User-Agent", "authmon-webhook/1")
	h.Set(HeaderDelivery, strconv.FormatInt(d.ID, 10))
	h.Set(HeaderEvent, string(d.Event.Kind))
	h.Set(HeaderSignature, Sign(n.cfg.Secret, n.now(), body))
	_, err = alert.PostHTTP(ctx, n.hc, n.red, n.prefix, n.cfg.URL, h, body)
	return alert.Thread{}, err
}

func (n *Notifier) body(d alert.Delivery) ([]byte, string, error) {
	p := NewPayload(d)
	if n.tmpl == nil {
		b, err := json.Marshal(p)
		return b, "application/json", err
	}
	var buf bytes.Buffer
	if err := n.tmpl.Execute(&buf, p); err != nil {
		return nil, "", fmt.Errorf("body_template: %w", err)
	}
	ctype := n.cfg.ContentType
	if ctype == "" {
		ctype = "application/json"
	}
	return buf.Bytes(), ctype, nil
}

// Sign returns the signature header's value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>">".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
