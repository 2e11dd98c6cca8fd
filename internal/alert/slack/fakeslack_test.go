package slack

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const (
	testToken   = "xoxb-CANARY-tok"
	webhookPath = "/services/T000/B000/CANARY-hook"
)

// request is what the fake Slack received.
type request struct {
	Path, ContentType string
	Body              string            // raw
	Form              map[string]string // bot API form fields
	OK                bool              // answered with success
}

// method is the Web API method or "webhook".
func (r request) method() string {
	if m, ok := strings.CutPrefix(r.Path, "/api/"); ok {
		return m
	}
	return "webhook"
}

// blocks decodes the request's blocks, from the form or the webhook JSON.
func (r request) blocks(t *testing.T) []map[string]any {
	t.Helper()
	raw := r.Form["blocks"]
	if r.method() == "webhook" {
		var msg struct{ Blocks json.RawMessage }
		if err := json.Unmarshal([]byte(r.Body), &msg); err != nil {
			t.Fatalf("webhook body: %v", err)
		}
		raw = string(msg.Blocks)
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(raw), &out); err != nil || len(out) == 0 {
		t.Fatalf("blocks %q: %v", raw, err)
	}
	return out
}

// blockID is the first block's block_id: the delivery that sent it.
func (r request) blockID(t *testing.T) string {
	id, _ := r.blocks(t)[0]["block_id"].(string)
	return id
}

// firstText is the mrkdwn of the first block.
func (r request) firstText(t *testing.T) string {
	text, _ := r.blocks(t)[0]["text"].(map[string]any)
	s, _ := text["text"].(string)
	return s
}

// responder answers the n-th request (from 1) itself and reports true, or
// leaves it to the fake's success answer.
type responder func(n int, r request, w http.ResponseWriter) bool

// fakeSlack stands in for slackapi.com: chat.postMessage, chat.update and the
// conversations.* lookups under /api/, answering like the real API, and one
// incoming webhook. It keeps the messages posted (see fakeslack_lookup_test).
type fakeSlack struct {
	mu       sync.Mutex
	got      []request
	posts    int // successful posts, for increasing ts
	respond  responder
	srv      *httptest.Server
	tsBase   int64         // seconds of the ts answered; 0 means 1700000000
	pageSize int           // conversations.* page size; 0 means the limit asked
	msgs     []fakeMessage // posted or seeded, oldest first
	channels []fakeChannel // for conversations.list
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	req := request{Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Body: string(b)}
	if r.Method != http.MethodPost || (req.Path != webhookPath && !fakeMethods[req.method()]) {
		http.NotFound(w, r)
		return
	}
	if req.method() != "webhook" {
		vals, _ := url.ParseQuery(req.Body)
		req.Form = map[string]string{}
		for k := range vals {
			req.Form[k] = vals.Get(k)
		}
	}
	f.mu.Lock()
	f.got = append(f.got, req)
	n, respond := len(f.got), f.respond
	f.mu.Unlock()
	// respond runs unlocked: it may block to simulate a slow Slack.
	if respond != nil && respond(n, req, w) {
		return
	}
	f.mu.Lock()
	f.got[n-1].OK = true
	answer := f.success(req)
	f.mu.Unlock()
	_, _ = io.WriteString(w, answer)
}

// success is the answer of the real API: the channel ID and the ts of the
// message posted or updated.
func (f *fakeSlack) success(req request) string {
	switch req.method() {
	case "webhook":
		return "ok"
	case "chat.update":
		f.updated(req)
		return fmt.Sprintf(`{"ok":true,"channel":"C123","ts":%q}`, req.Form["ts"])
	case "chat.postMessage":
		f.posts++
		ts := fmt.Sprintf("%d.%06d", cmp.Or(f.tsBase, 1700000000), f.posts)
		f.msgs = append(f.msgs, fakeMessage{Thread: req.Form["thread_ts"], TS: ts, BlockID: firstBlockID(req.Form["blocks"])})
		return fmt.Sprintf(`{"ok":true,"channel":"C123","ts":%q}`, ts)
	default:
		return f.conversations(req)
	}
}

func (f *fakeSlack) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.got...)
}

// delivered lists the successful requests.
func (f *fakeSlack) delivered() []request {
	var out []request
	for _, r := range f.requests() {
		if r.OK {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeSlack) botConfig() Config {
	return Config{Token: testToken, Channel: "alerts", APIURL: f.srv.URL + "/api"}
}

// bot is a bot-mode notifier of f that looks up in-flight deliveries at
// once: these tests need not wait for Slack's requests to land.
func (f *fakeSlack) bot() *Notifier {
	s := New(f.botConfig(), f.srv.Client())
	s.settle = 0
	return s
}

func (f *fakeSlack) webhook() *Notifier {
	return New(Config{WebhookURL: f.srv.URL + webhookPath}, f.srv.Client())
}

// status answers with code, an optional "Key: value" header and body.
func status(code int, header, body string) responder {
	return func(_ int, _ request, w http.ResponseWriter) bool {
		if header != "" {
			k, v, _ := strings.Cut(header, ": ")
			w.Header().Set(k, v)
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
		return true
	}
}

// failFirst answers the first n requests with a 500.
func failFirst(n int) responder {
	return func(i int, r request, w http.ResponseWriter) bool {
		return i <= n && status(http.StatusInternalServerError, "", "")(i, r, w)
	}
}

func wantContent(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in %s", w, s)
		}
	}
}

// jsonField is a string field of a JSON object.
func jsonField(t *testing.T, body, key string) string {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal([]byte(body), &obj); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	s, _ := obj[key].(string)
	return s
}
