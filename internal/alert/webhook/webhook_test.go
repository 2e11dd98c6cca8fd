package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

const secret = "whsec-unit-0123456789"

// TestSignatureVerifies: a receiver accepts the request as sent and
// refuses it replayed outside the window, altered, or signed with
// another key.
func TestSignatureVerifies(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"version":1}`)
	h := Sign(secret, now, body)
	cases := []struct {
		name   string
		secret string
		body   string
		at     time.Time
		ok     bool
	}{
		{"as sent", secret, string(body), now.Add(time.Minute), true},
		{"replayed", secret, string(body), now.Add(ReplayWindow + time.Second), false},
		{"altered", secret, `{"version":2}`, now, false},
		{"other key", "whsec-other-0123456789", string(body), now, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Verify(c.secret, h, []byte(c.body), c.at); (err == nil) != c.ok {
				t.Errorf("verify: %v, want ok %v", err, c.ok)
			}
		})
	}
}

// TestTemplateBodyAndHeaders: a body_template shapes the body; custom
// headers and the signature go with it; secrets in evidence are redacted.
func TestTemplateBodyAndHeaders(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
	}))
	defer srv.Close()
	n, err := New("hook", Config{URL: srv.URL, Secret: secret, Headers: map[string]string{"Authorization": "Bearer hdr-secret-0123"},
		BodyTemplate: `{"text": {{printf "%q" .Text}}, "sev": "{{.Severity}}", "key": "{{.Incident.Key}}"}`, ContentType: "application/json"},
		srv.Client(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := alert.Event{Kind: alert.KindOpened, Check: "login", IncidentID: 9, Severity: checks.SevCritical, At: time.Now(), Since: time.Now(),
		Regressions: []alert.Regression{{Key: "missing/B1", Failure: checks.Failure{Assertion: checks.Assertion{ID: "B1", Got: "token " + secret}}}}}
	if _, err := n.Notify(context.Background(), alert.Delivery{ID: 5, Event: ev}); err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Authorization") != "Bearer hdr-secret-0123" || got.Header.Get(HeaderDelivery) != "5" {
		t.Errorf("headers %v", got.Header)
	}
	if err := Verify(secret, got.Header.Get(HeaderSignature), body, time.Now()); err != nil {
		t.Error(err)
	}
	if s := string(body); !strings.Contains(s, `"sev": "critical-security"`) || !strings.Contains(s, "authmon-incident-9") || strings.Contains(s, secret) {
		t.Errorf("body %s", s)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
