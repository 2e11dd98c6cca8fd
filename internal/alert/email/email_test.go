package email_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/alert/email"
	"github.com/authmon/monitor/internal/alert/email/smtptest"
	"github.com/authmon/monitor/internal/checks"
)

const password = "CANARY-smtp-pw-7781"

func delivery(id int64, kind alert.Kind) alert.Delivery {
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	reg := alert.Regression{Key: "missing/B1", Before: "401", Failure: checks.Failure{Probe: "missing", Method: "GET",
		URL: "https://auth.example.com/me", Assertion: checks.Assertion{ID: "B1", Severity: checks.SevCritical,
			Expected: "401", Got: "200 OK <b>"}}}
	return alert.Delivery{ID: id, Event: alert.Event{Kind: kind, Check: "login", IncidentID: 42, Severity: checks.SevCritical,
		At: at, Since: at.Add(-time.Minute), Regressions: []alert.Regression{reg}, DashboardURL: "https://mon.example.com/checks/login"}}
}

// TestEmailThreadsOverTLS: STARTTLS and implicit TLS with AUTH; the opened
// mail starts the incident's thread and later ones reply to it; each has
// a plain text and an HTML part saying the same thing.
func TestEmailThreadsOverTLS(t *testing.T) {
	for _, mode := range []string{email.StartTLS, email.Implicit} {
		t.Run(mode, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{User: "mailer", Pass: password, StartTLS: mode == email.StartTLS, Implicit: mode == email.Implicit})
			n := email.New("mail", email.Config{Host: srv.Host, Port: srv.Port, TLS: mode, Username: "mailer", Password: password,
				From: "authmon <alerts@mon.example.com>", To: []string{"oncall@example.com"}, RootCAs: srv.RootCAs}, nil, nil)
			for i, k := range []alert.Kind{alert.KindOpened, alert.KindResolved} {
				if _, err := n.Notify(context.Background(), delivery(int64(10+i), k)); err != nil {
					t.Fatal(err)
				}
			}
			msgs := srv.Messages()
			if len(msgs) != 2 {
				t.Fatalf("%d messages", len(msgs))
			}
			root := parse(t, msgs[0].Data)
			reply := parse(t, msgs[1].Data)
			if id := root.Header.Get("Message-ID"); id != "<authmon-incident-42@mon.example.com>" || root.Header.Get("In-Reply-To") != "" {
				t.Errorf("root Message-ID %q", id)
			}
			if reply.Header.Get("In-Reply-To") != "<authmon-incident-42@mon.example.com>" || reply.Header.Get("References") != "<authmon-incident-42@mon.example.com>" ||
				reply.Header.Get("Message-ID") == root.Header.Get("Message-ID") {
				t.Errorf("reply headers %v", reply.Header)
			}
			subj, _ := new(mime.WordDecoder).DecodeHeader(root.Header.Get("Subject"))
			if !strings.Contains(subj, "Incident #42 opened") {
				t.Errorf("subject %q", subj)
			}
			text, html := parts(t, root)
			if !strings.Contains(text, "200 OK <b>") || !strings.Contains(html, "200 OK &lt;b&gt;") || !strings.Contains(html, `href="https://mon.example.com/checks/login"`) {
				t.Errorf("parts:\n%s\n%s", text, html)
			}
		})
	}
}

// TestEmailFaults: 451 is retried, 554 is permanent, a server that takes
// the data and then hangs past the deadline is unsure (the retry may
// deliver it twice, with the same Message-ID); the password never shows.
func TestEmailFaults(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{User: "mailer", Pass: password, StartTLS: true, HangFor: 2 * time.Second})
	n := email.New("mail", email.Config{Host: srv.Host, Port: srv.Port, Username: "mailer", Password: password,
		From: "alerts@mon.example.com", To: []string{"oncall@example.com"}, RootCAs: srv.RootCAs}, nil, nil)
	srv.Fail(smtptest.Temporary, smtptest.Permanent, smtptest.Hang)
	_, err := n.Notify(context.Background(), delivery(1, alert.KindOpened))
	if err == nil || alert.IsPermanent(err) {
		t.Errorf("451: %v, want a retryable error", err)
	}
	_, err = n.Notify(context.Background(), delivery(1, alert.KindOpened))
	if !alert.IsPermanent(err) {
		t.Errorf("554: %v, want permanent", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = n.Notify(ctx, delivery(1, alert.KindOpened))
	if err == nil || alert.IsPermanent(err) {
		t.Errorf("hang: %v, want a retryable error", err)
	}
	if err != nil && strings.Contains(err.Error(), password) {
		t.Error("the password leaks in an error")
	}
	if len(srv.Messages()) != 1 {
		t.Errorf("%d messages recorded, want the hung one", len(srv.Messages()))
	}
}

func parse(t *testing.T, data []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func parts(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return text, html
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			html = string(b)
		} else {
			text = string(b)
		}
	}
}
