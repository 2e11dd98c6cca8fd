package alert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

const (
	testToken   = "xoxb-CANARY-123"
	webhookPath = "/services/T000/B000/CANARY-HOOK"
)

// request is what the fake Slack received.
type request struct {
	Method, Path, ContentType string
	Form                      map[string]string // bot mode
	Body                      string            // webhook mode
}

// fakeSlack stands in for slack.com: bot API under /api/ and one webhook.
// respond decides each answer; nil means success.
type fakeSlack struct {
	mu      sync.Mutex
	got     []request
	respond func(n int, w http.ResponseWriter) bool // true: answered
	srv     *httptest.Server
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat.postMessage", f.handle(func(r *http.Request, req *request) {
		_ = r.ParseForm()
		req.Form = map[string]string{}
		for k := range r.PostForm {
			req.Form[k] = r.PostForm.Get(k)
		}
	}, `{"ok":true,"channel":"C1","ts":"1.2"}`))
	mux.HandleFunc("POST "+webhookPath, f.handle(func(r *http.Request, req *request) {
		b, _ := io.ReadAll(r.Body)
		req.Body = string(b)
	}, "ok"))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) handle(read func(*http.Request, *request), ok string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req := request{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type")}
		read(r, &req)
		f.mu.Lock()
		f.got = append(f.got, req)
		n, respond := len(f.got), f.respond
		f.mu.Unlock()
		if respond != nil && respond(n, w) {
			return
		}
		_, _ = io.WriteString(w, ok)
	}
}

func (f *fakeSlack) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.got...)
}

func (f *fakeSlack) bot() *Slack {
	return NewSlack(SlackConfig{Token: testToken, Channel: "C1", APIURL: f.srv.URL + "/api"}, f.srv.Client())
}

func (f *fakeSlack) webhook() *Slack {
	return NewSlack(SlackConfig{WebhookURL: f.srv.URL + webhookPath}, f.srv.Client())
}

func TestSlackBotPostsMessage(t *testing.T) {
	f := newFakeSlack(t)
	if err := f.bot().Notify(context.Background(), regressed("login-api", bypassFailure())); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := f.requests()
	if len(got) != 1 {
		t.Fatalf("got %d requests, want 1", len(got))
	}
	r := got[0]
	if r.Method != http.MethodPost || r.Path != "/api/chat.postMessage" ||
		r.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("request %s %s %s", r.Method, r.Path, r.ContentType)
	}
	if r.Form["token"] != testToken || r.Form["channel"] != "C1" {
		t.Errorf("token %q channel %q", r.Form["token"], r.Form["channel"])
	}
	wantContent(t, r.Form["blocks"], "login-api", "CRITICAL: auth bypass",
		"without credentials: expected 401, got 200 OK", "B1 · RFC 9110 §11.4")
	wantContent(t, r.Form["text"], "login-api", "regressed", "CRITICAL: auth bypass")
}

func TestSlackWebhookPostsMessage(t *testing.T) {
	f := newFakeSlack(t)
	ev := Event{Kind: KindRecovered, Check: "login-api", At: t0.Add(14 * time.Minute), Since: t0}
	if err := f.webhook().Notify(context.Background(), ev); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := f.requests()
	if len(got) != 1 || got[0].Path != webhookPath || got[0].ContentType != "application/json" {
		t.Fatalf("requests %+v", got)
	}
	wantContent(t, got[0].Body, `"blocks":[`, `"text":"✅ login-api recovered after 14m`)
}

func wantContent(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in %s", w, s)
		}
	}
}

func status(code int, header, body string) func(int, http.ResponseWriter) bool {
	return func(_ int, w http.ResponseWriter) bool {
		if header != "" {
			k, v, _ := strings.Cut(header, ": ")
			w.Header().Set(k, v)
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
		return true
	}
}

func TestSlackErrorClassification(t *testing.T) {
	tests := []struct {
		name      string
		webhook   bool
		respond   func(int, http.ResponseWriter) bool
		permanent bool
		wait      time.Duration // >0: want *RetryAfterError
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
			err := n.Notify(context.Background(), regressed("c", bypassFailure()))
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			if IsPermanent(err) != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, !tt.permanent, tt.permanent)
			}
			ra, isRA := errors.AsType[*RetryAfterError](err)
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
	f.respond = status(500, "", "CANARY-HOOK CANARY echo")
	hc := &http.Client{Timeout: 5 * time.Second}
	tests := []struct {
		name string
		cfg  SlackConfig
	}{
		{"webhook refused", SlackConfig{WebhookURL: down + webhookPath}},
		{"webhook refused with query", SlackConfig{WebhookURL: down + webhookPath + "?k=CANARY-Q"}},
		{"webhook 500", SlackConfig{WebhookURL: f.srv.URL + webhookPath}},
		{"bot refused", SlackConfig{Token: testToken, Channel: "C1", APIURL: down + "/api/"}},
		{"bot 500", SlackConfig{Token: testToken, Channel: "C1", APIURL: f.srv.URL + "/api/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewSlack(tt.cfg, hc).Notify(context.Background(), regressed("c", bypassFailure()))
			if err == nil || IsPermanent(err) {
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
	err := slack.PostWebhookCustomHTTPContext(context.Background(),
		"http://"+closedAddr(t)+webhookPath, http.DefaultClient, &slack.WebhookMessage{Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "CANARY-HOOK") {
		t.Fatalf("slack-go error no longer shows the URL: %v", err)
	}
}

func TestSlackConfigHidesSecrets(t *testing.T) {
	cfg := SlackConfig{WebhookURL: "https://hooks.slack.com" + webhookPath, Token: testToken, Channel: "C1"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), cfg.LogValue().String()} {
		if strings.Contains(s, "CANARY") {
			t.Errorf("config printed a secret: %s", s)
		}
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor("xoxb-1-2", "https://hooks.test/services/A/B/SECRET?x=Q%20SECRET", "")
	in := `Post "https://hooks.test/services/A/B/SECRET?x=Q%20SECRET": boom; path /services/A/B/SECRET; token xoxb-1-2; x=Q%20SECRET`
	if got := r.redact(in); strings.Contains(got, "SECRET") || strings.Contains(got, "xoxb-1-2") {
		t.Errorf("redact left a secret: %s", got)
	}
	if got := newRedactor("").redact("a/b"); got != "a/b" {
		t.Errorf("empty redactor changed text: %s", got)
	}
}
