package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/alert"
)

func TestSlackBotPostsRoot(t *testing.T) {
	f := newFakeSlack(t)
	ev := event(alert.KindOpened, "login-api", 12, bypass())
	ev.Channel = "security"
	th, err := f.bot().Notify(context.Background(), alert.Delivery{ID: 4, Event: ev})
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if th != (alert.Thread{Channel: "C123", TS: "1700000000.000001"}) {
		t.Errorf("thread %+v, want the channel ID and ts Slack answered", th)
	}
	got := f.requests()
	if len(got) != 1 {
		t.Fatalf("got %d requests, want 1", len(got))
	}
	r := got[0]
	if r.Path != "/api/chat.postMessage" || r.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("request %s %s", r.Path, r.ContentType)
	}
	if r.Form["token"] != testToken || r.Form["channel"] != "security" || r.Form["thread_ts"] != "" {
		t.Errorf("token %q channel %q thread_ts %q", r.Form["token"], r.Form["channel"], r.Form["thread_ts"])
	}
	if id := r.blockID(t); id != "authmon-n4" {
		t.Errorf("block_id %q", id)
	}
	wantContent(t, r.Form["blocks"], "Incident #12", "login-api", "CRITICAL: auth bypass",
		"without credentials: expected 401, got 200 OK", "B1 · RFC 9110 §11.4")
	wantContent(t, r.Form["text"], "Incident #12", "login-api failing since 21:03 UTC (14m)", "CRITICAL: auth bypass")
}

// TestSlackTestMessage: `monitor alert test` checks every routed channel,
// so a test goes where its Channel says, the default channel if none, and
// never into an incident thread.
func TestSlackTestMessage(t *testing.T) {
	for _, channel := range []string{"", "security"} {
		f := newFakeSlack(t)
		d := alert.Delivery{ID: 1, Event: alert.Event{Kind: alert.KindTest, Channel: channel}, Thread: alert.Thread{Channel: "C9", TS: "1.1"}}
		if th, err := f.bot().Notify(context.Background(), d); err != nil || th != (alert.Thread{}) {
			t.Fatalf("Notify = %+v, %v", th, err)
		}
		want := cmp.Or(channel, "alerts")
		if r := f.requests()[0]; r.Form["channel"] != want || r.Form["thread_ts"] != "" ||
			!strings.Contains(r.Form["text"], "Slack notifications are set up") {
			t.Errorf("channel %q thread_ts %q text %q, want %s, no thread", r.Form["channel"], r.Form["thread_ts"], r.Form["text"], want)
		}
	}
}

func TestSlackWebhookPostsMessage(t *testing.T) {
	f := newFakeSlack(t)
	ev := event(alert.KindResolved, "login-api", 12, bypass())
	th, err := f.webhook().Notify(context.Background(), alert.Delivery{ID: 3, Event: ev, Thread: alert.Thread{Channel: "C1", TS: "1.1"}})
	if err != nil || th != (alert.Thread{}) {
		t.Fatalf("Notify = %+v, %v", th, err)
	}
	got := f.requests()
	if len(got) != 1 || got[0].Path != webhookPath || got[0].ContentType != "application/json" {
		t.Fatalf("requests %+v", got)
	}
	wantContent(t, got[0].Body, `"block_id":"authmon-n3"`, `"text":"Incident #12 resolved — ✅ login-api resolved after 14m`)
}

func TestSlackErrorClassification(t *testing.T) {
	tests := []struct {
		name      string
		webhook   bool
		respond   responder
		permanent bool
		wait      time.Duration // >0: want *alert.RetryAfterError
	}{
		{name: "bot 429", respond: status(429, "Retry-After: 3", ""), wait: 3 * time.Second},
		{name: "bot channel_not_found", respond: status(200, "", `{"ok":false,"error":"channel_not_found"}`), permanent: true},
		{name: "bot invalid_auth", respond: status(200, "", `{"ok":false,"error":"invalid_auth"}`), permanent: true},
		{name: "bot internal_error", respond: status(200, "", `{"ok":false,"error":"internal_error"}`)},
		{name: "bot 500", respond: status(500, "", "oops")},
		{name: "bot 503", respond: status(503, "", "")},
		{name: "webhook 404", webhook: true, respond: status(404, "", "no_service"), permanent: true},
		{name: "webhook 403", webhook: true, respond: status(403, "", "invalid_token"), permanent: true},
		{name: "webhook 410", webhook: true, respond: status(410, "", "channel_is_archived"), permanent: true},
		{name: "webhook 500", webhook: true, respond: status(500, "", "")},
		{name: "webhook 429", webhook: true, respond: status(429, "Retry-After: 7", ""), wait: 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.respond = tt.respond
			n := f.bot()
			if tt.webhook {
				n = f.webhook()
			}
			_, err := n.Notify(context.Background(), alert.Delivery{Event: event(alert.KindOpened, "c", 1, bypass())})
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			if alert.IsPermanent(err) != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, !tt.permanent, tt.permanent)
			}
			ra, isRA := errors.AsType[*alert.RetryAfterError](err)
			if isRA != (tt.wait > 0) || (isRA && ra.Wait != tt.wait) {
				t.Errorf("err %v: RetryAfterError %v (%+v), want wait %s", err, isRA, ra, tt.wait)
			}
			assertNoSecret(t, err)
		})
	}
}

// assertNoSecret fails when any text of err or its chain shows a secret.
func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(text, "CANARY") {
				t.Errorf("secret leaked in %T: %s", e, text)
			}
		}
	}
}

// closedAddr is a loopback address nobody listens on any more.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestSlackErrorsNeverShowSecrets(t *testing.T) {
	down := "http://" + closedAddr(t)
	f := newFakeSlack(t)
	f.respond = status(500, "", "CANARY-hook CANARY echo")
	hc := &http.Client{Timeout: 5 * time.Second}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"webhook refused", Config{WebhookURL: down + webhookPath}},
		{"webhook refused with query", Config{WebhookURL: down + webhookPath + "?k=CANARY-Q"}},
		{"webhook 500", Config{WebhookURL: f.srv.URL + webhookPath}},
		{"bot refused", Config{Token: testToken, Channel: "alerts", APIURL: down + "/api/"}},
		{"bot 500", Config{Token: testToken, Channel: "alerts", APIURL: f.srv.URL + "/api/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, hc).Notify(context.Background(), alert.Delivery{Event: event(alert.KindOpened, "c", 1, bypass())})
			if err == nil || alert.IsPermanent(err) {
				t.Fatalf("err = %v, want a retryable error", err)
			}
			assertNoSecret(t, err)
			if tt.cfg.Token == "" && strings.Contains(tt.name, "refused") && !strings.Contains(err.Error(), redacted) {
				t.Errorf("webhook error not visibly redacted: %v", err)
			}
		})
	}
}

// TestCanaryIsMeaningful shows that slack-go itself puts the webhook URL in
// its errors, so the redaction test above tests something real.
func TestCanaryIsMeaningful(t *testing.T) {
	err := slackapi.PostWebhookCustomHTTPContext(context.Background(),
		"http://"+closedAddr(t)+webhookPath, http.DefaultClient, &slackapi.WebhookMessage{Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "CANARY-hook") {
		t.Fatalf("slack-go error no longer shows the URL: %v", err)
	}
}

func TestSlackConfigHidesSecrets(t *testing.T) {
	cfg := Config{WebhookURL: "https://hooks.slack.com" + webhookPath, Token: testToken, Channel: "C1"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), cfg.LogValue().String()} {
		if strings.Contains(s, "CANARY") {
			t.Errorf("config printed a secret: %s", s)
		}
	}
}

// TestRedactor: a Slack notifier's own redactor knows the token and every
// part of the webhook URL an error may print.
func TestRedactor(t *testing.T) {
	r := New(Config{Token: "xoxb-1-2", WebhookURL: "https://hooks.test/services/A/B/SECRET?x=Q%20SECRET"}, nil).Redact
	in := `Post "https://hooks.test/services/A/B/SECRET?x=Q%20SECRET": boom; path /services/A/B/SECRET; token xoxb-1-2; x=Q%20SECRET`
	if got := r.String(in); strings.Contains(got, "SECRET") || strings.Contains(got, "xoxb-1-2") {
		t.Errorf("redact left a secret: %s", got)
	}
	if got := New(Config{}, nil).Redact.String("a/b"); got != "a/b" {
		t.Errorf("empty redactor changed text: %s", got)
	}
}

func TestSlackThreading(t *testing.T) {
	root := alert.Thread{Channel: "C123", TS: "1699999999.000001"}
	notFound := status(http.StatusOK, "", `{"ok":false,"error":"message_not_found"}`)
	gone := status(http.StatusOK, "", `{"ok":false,"error":"channel_not_found"}`)
	tests := []struct {
		kind      alert.Kind
		thread    alert.Thread
		respond   responder
		want      string // method:thread_ts-or-ts, "root" for the root's ts
		newRoot   bool
		permanent bool
	}{
		{kind: alert.KindOpened, want: "chat.postMessage:", newRoot: true},
		{kind: alert.KindUpdated, want: "chat.postMessage:", newRoot: true},
		{kind: alert.KindReminder, want: "chat.postMessage:", newRoot: true},
		{kind: alert.KindResolved, want: "chat.postMessage:"},
		{kind: alert.KindCalm, want: "chat.postMessage:"},
		{kind: alert.KindOpened, thread: root, want: "chat.update:root"},
		{kind: alert.KindReminder, thread: root, want: "chat.postMessage:root"},
		{kind: alert.KindFlapping, thread: root, want: "chat.postMessage:root"},
		{kind: alert.KindResolved, thread: root, want: "chat.update:root chat.postMessage:root"},
		{kind: alert.KindResolved, thread: root, respond: func(n int, r request, w http.ResponseWriter) bool {
			return n == 1 && notFound(n, r, w) // someone deleted the root: still reply
		}, want: "chat.update:root chat.postMessage:root"},
		{kind: alert.KindUpdated, thread: root, respond: gone, want: "chat.update:root chat.postMessage:root", permanent: true},
		// Item 3: an edit that can never succeed does not drop the reply.
		{kind: alert.KindResolved, thread: root, respond: func(n int, r request, w http.ResponseWriter) bool {
			return n == 1 && status(http.StatusNotFound, "", "")(n, r, w) // a server without chat.update
		}, want: "chat.update:root chat.postMessage:root"},
		{kind: alert.KindUpdated, thread: root, respond: func(n int, r request, w http.ResponseWriter) bool {
			return n == 1 && status(http.StatusOK, "", `{"ok":false,"error":"unknown_method"}`)(n, r, w)
		}, want: "chat.update:root chat.postMessage:root"},
		{kind: alert.KindResolved, thread: root, respond: func(n int, r request, w http.ResponseWriter) bool {
			return (n == 1 && notFound(n, r, w)) ||
				(n == 2 && status(http.StatusOK, "", `{"ok":false,"error":"thread_not_found"}`)(n, r, w))
		}, want: "chat.update:root chat.postMessage:root chat.postMessage:"},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%d %s thread=%v", i, tt.kind, tt.thread.TS != ""), func(t *testing.T) {
			f := newFakeSlack(t)
			f.respond = tt.respond
			th, err := f.bot().Notify(context.Background(), alert.Delivery{ID: 1, Event: event(tt.kind, "c", 2, bypass()), Thread: tt.thread})
			if (err != nil) != tt.permanent || alert.IsPermanent(err) != tt.permanent {
				t.Fatalf("Notify err = %v, want permanent %v", err, tt.permanent)
			}
			if (th != alert.Thread{}) != tt.newRoot || (tt.newRoot && th.TS != "1700000000.000001") {
				t.Errorf("returned thread %+v, want new root %v", th, tt.newRoot)
			}
			var got []string
			for _, r := range f.requests() {
				ts := r.Form["thread_ts"] + r.Form["ts"]
				got = append(got, r.method()+":"+strings.ReplaceAll(ts, root.TS, "root"))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("requests %v, want %s", got, tt.want)
			}
		})
	}
}

// TestSlackEditFailureIsLoggedAndReplied covers item 3: when chat.update
// fails for good, the resolution still reaches the thread and the edit
// failure is logged; when the thread is gone too, a new message names the
// incident.
func TestSlackEditFailureIsLoggedAndReplied(t *testing.T) {
	root := alert.Thread{Channel: "C123", TS: "1699999999.000001"}
	f, logs := newFakeSlack(t), &syncBuffer{}
	f.respond = func(n int, r request, w http.ResponseWriter) bool {
		switch {
		case r.method() == "chat.update":
			return status(http.StatusOK, "", `{"ok":false,"error":"message_not_found"}`)(n, r, w)
		case r.Form["thread_ts"] != "":
			return status(http.StatusOK, "", `{"ok":false,"error":"thread_not_found"}`)(n, r, w)
		}
		return false
	}
	s := f.bot()
	s.Log = slog.New(slog.NewTextHandler(logs, nil))
	if _, err := s.Notify(context.Background(), alert.Delivery{ID: 9, Event: event(alert.KindResolved, "login-api", 12, bypass()), Thread: root}); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := f.delivered()
	if len(got) != 1 || got[0].Form["thread_ts"] != "" {
		t.Fatalf("delivered %+v, want one new top-level message", got)
	}
	wantContent(t, got[0].Form["text"], "Incident #12 resolved", "login-api resolved after 14m")
	wantContent(t, logs.String(), "could not edit the incident's root message", "message_not_found",
		"thread of the incident is gone", "incident=12")
}
