package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const canaryPassword = "CANARY-e2e-pw-5521"

// target is a Basic-protected endpoint that can be broken on demand.
type target struct {
	srv    *httptest.Server
	bypass atomic.Bool
}

func newTarget(t *testing.T) *target {
	tg := &target{}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if tg.bypass.Load() || (ok && user == "canary" && pass == canaryPassword) {
			fmt.Fprint(w, `{"user":"canary"}`)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="e2e", charset="UTF-8"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

// slackServer stands in for Slack's Web API: it records every
// chat.postMessage and answers like Slack does.
type slackServer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []map[string]string
	raw  []string
}

func newSlack(t *testing.T) *slackServer {
	s := &slackServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || (r.URL.Path != "/api/chat.postMessage" && r.URL.Path != "/api/chat.update") {
			t.Errorf("unexpected Slack call %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ParseForm()
		m := map[string]string{"method": strings.TrimPrefix(r.URL.Path, "/api/")}
		for k := range r.PostForm {
			m[k] = r.PostForm.Get(k)
		}
		s.mu.Lock()
		ts := m["ts"] // chat.update answers with the message it edited
		if ts == "" {
			ts = fmt.Sprintf("1700000000.%06d", len(s.msgs))
		}
		m["answer_ts"] = ts
		s.msgs = append(s.msgs, m)
		s.raw = append(s.raw, string(body))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":"C123","ts":%q}`, ts)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *slackServer) messages() []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]string(nil), s.msgs...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// monitor is one `monitor serve` started in-process through run().
type monitor struct {
	cancel context.CancelFunc
	done   chan int
	logs   *syncBuffer
	addr   string
}

var listenRE = regexp.MustCompile(`msg="dashboard listening" addr=(http://[0-9.:]+)`)

func startMonitor(t *testing.T, cfgPath, dbPath string) *monitor {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m := &monitor{cancel: cancel, done: make(chan int, 1), logs: &syncBuffer{}}
	go func() {
		m.done <- run(ctx, []string{"serve", "-config", cfgPath, "-db", dbPath, "-listen", "127.0.0.1:0"}, io.Discard, m.logs)
	}()
	waitFor(t, "the dashboard to listen", func() bool {
		if sm := listenRE.FindStringSubmatch(m.logs.String()); sm != nil {
			m.addr = sm[1]
			return true
		}
		return false
	})
	return m
}

// stop shuts the monitor down as SIGTERM would and checks it exits cleanly.
func (m *monitor) stop(t *testing.T) {
	t.Helper()
	m.cancel()
	select {
	case code := <-m.done:
		if code != 0 {
			t.Fatalf("serve exited %d\n%s", code, m.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s")
	}
}

func (m *monitor) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(m.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return string(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func writeConfig(t *testing.T, dir, targetURL, slackURL string) string {
	t.Helper()
	cfg := fmt.Sprintf(`
[[check]]
name = "e2e login"
url = %q
schedule = "@every 1s"
timeout = "2s"
[check.auth]
type = "basic"
username = "canary"
password = "${E2E_PASSWORD}"
[check.missing]
realm = "e2e"

[slack]
token = "xoxb-e2e-token"
channel = "#auth-alerts"
api_url = %q
`, targetURL, slackURL+"/api/")
	path := filepath.Join(dir, "checks.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeEndToEnd drives the whole loop: config → cron → checks → SQLite →
// dashboard → Slack, through a regression, a restart and a recovery.
func TestServeEndToEnd(t *testing.T) {
	t.Setenv("E2E_PASSWORD", canaryPassword)
	dir := t.TempDir()
	tg, sl := newTarget(t), newSlack(t)
	cfgPath, dbPath := writeConfig(t, dir, tg.srv.URL+"/me", sl.srv.URL), filepath.Join(dir, "monitor.db")

	m := startMonitor(t, cfgPath, dbPath)
	waitFor(t, "the check to pass", func() bool { return strings.Contains(m.get(t, "/"), "✔ passing") })
	if n := len(sl.messages()); n != 0 {
		t.Fatalf("%d Slack messages while healthy", n)
	}

	tg.bypass.Store(true)
	waitFor(t, "the regression alert", func() bool { return len(sl.messages()) >= 1 })
	alertMsg := sl.messages()[0]
	for _, want := range []string{"e2e login", "without credentials: expected 401 with a Basic challenge, got 200 OK", "auth bypass", "B1"} {
		if !strings.Contains(alertMsg["blocks"]+alertMsg["text"], want) {
			t.Errorf("alert lacks %q: %v", want, alertMsg)
		}
	}
	if alertMsg["channel"] != "#auth-alerts" || alertMsg["token"] != "xoxb-e2e-token" {
		t.Errorf("alert sent to %q with token %q", alertMsg["channel"], alertMsg["token"])
	}
	waitFor(t, "the dashboard to show the failure", func() bool { return strings.Contains(m.get(t, "/"), "✖ failing") })

	// A restart while still broken must not alert again.
	m.stop(t)
	m = startMonitor(t, cfgPath, dbPath)
	runsBefore := strings.Count(m.get(t, "/checks/e2e%20login"), "data-testid=\"run\"")
	waitFor(t, "runs after the restart", func() bool {
		return strings.Count(m.get(t, "/checks/e2e%20login"), "data-testid=\"run\"") >= runsBefore+3
	})
	if n := len(sl.messages()); n != 1 {
		t.Fatalf("%d Slack messages after restart, want still 1", n)
	}

	tg.bypass.Store(false)
	// Recovery after two passing runs: the root message is edited to green
	// and a reply goes into its thread.
	waitFor(t, "the recovery", func() bool { return len(sl.messages()) >= 3 })
	msgs := sl.messages()
	root, update, reply := msgs[0], msgs[1], msgs[2]
	if update["method"] != "chat.update" || update["ts"] != root["answer_ts"] || update["channel"] != "C123" {
		t.Errorf("second call is not an edit of the root message: %v", update)
	}
	if reply["method"] != "chat.postMessage" || reply["thread_ts"] != root["answer_ts"] || !strings.Contains(reply["text"]+reply["blocks"], "recovered") {
		t.Errorf("third call is not a recovery reply in the thread: %v", reply)
	}
	if !strings.Contains(update["text"]+update["blocks"], "resolved") || root["thread_ts"] != "" {
		t.Errorf("root %v, update %v", root, update)
	}
	time.Sleep(2500 * time.Millisecond) // two more runs: still no message
	if n := len(sl.messages()); n != 3 {
		t.Fatalf("%d Slack calls, want exactly 3", n)
	}
	page := m.get(t, "/") + m.get(t, "/checks/e2e%20login")
	m.stop(t)
	assertNoCanary(t, dbPath, page, m.logs.String(), sl)
}

// assertNoCanary greps everything the monitor wrote for the password.
func assertNoCanary(t *testing.T, dbPath, pages, logs string, sl *slackServer) {
	t.Helper()
	var db []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, _ := os.ReadFile(dbPath + suffix)
		db = append(db, b...)
	}
	places := map[string]string{"database": string(db), "dashboard": pages, "log": logs, "slack": strings.Join(sl.raw, "\n")}
	for where, text := range places {
		if strings.Contains(text, canaryPassword) {
			t.Errorf("the canary password appears in the %s", where)
		}
	}
	if len(db) == 0 {
		t.Error("database file is empty")
	}
}
