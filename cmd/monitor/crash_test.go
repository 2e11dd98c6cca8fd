package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// crashSlack is a Slack Web API stand-in that records, per outbox delivery
// (the block_id "authmon-n<id>" every message carries), each request.
type crashSlack struct {
	srv   *httptest.Server
	ts    atomic.Int64
	mu    sync.Mutex
	calls []slackCall
}

type slackCall struct {
	at       time.Time
	method   string // chat.postMessage or chat.update
	delivery string // the block_id
	threadTS string
	ts       string // ts answered (post) or updated (update)
}

func newCrashSlack(t *testing.T) *crashSlack {
	s := &crashSlack{}
	s.ts.Store(1700000000)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch method := strings.TrimPrefix(r.URL.Path, "/api/"); method {
		case "chat.postMessage", "chat.update":
			s.record(w, r, method)
		case "conversations.list":
			fmt.Fprint(w, `{"ok":true,"channels":[{"id":"C123","name":"crash"}],"response_metadata":{"next_cursor":""}}`)
		case "conversations.history", "conversations.replies":
			s.lookup(w, r.PostForm.Get("ts"))
		default:
			t.Errorf("unexpected Slack call %s", method)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *crashSlack) record(w http.ResponseWriter, r *http.Request, method string) {
	c := slackCall{at: time.Now(), method: method, delivery: firstBlockID(r.PostForm.Get("blocks")),
		threadTS: r.PostForm.Get("thread_ts"), ts: r.PostForm.Get("ts")}
	if method == "chat.postMessage" {
		c.ts = fmt.Sprintf("%d.000100", s.ts.Add(1))
	}
	time.Sleep(time.Duration(50+rand.IntN(200)) * time.Millisecond) // Slack takes its time: kills land mid-request
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	fmt.Fprintf(w, `{"ok":true,"channel":"C123","ts":%q}`, c.ts)
}

// lookup answers conversations.history (thread "") or .replies with the
// messages posted so far, newest first, each with its block_id.
func (s *crashSlack) lookup(w http.ResponseWriter, thread string) {
	type block struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
	}
	type message struct {
		TS       string  `json:"ts"`
		ThreadTS string  `json:"thread_ts,omitempty"`
		Blocks   []block `json:"blocks"`
	}
	var msgs []message
	s.mu.Lock()
	for i := len(s.calls) - 1; i >= 0; i-- {
		c := s.calls[i]
		if c.method == "chat.postMessage" && (c.threadTS == thread || c.ts == thread) {
			msgs = append(msgs, message{TS: c.ts, ThreadTS: c.threadTS, Blocks: []block{{Type: "section", BlockID: c.delivery}}})
		}
	}
	s.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": msgs, "has_more": false,
		"response_metadata": map[string]string{"next_cursor": ""}})
}

func firstBlockID(blocks string) string {
	var bs []struct {
		BlockID string `json:"block_id"`
	}
	if json.Unmarshal([]byte(blocks), &bs) != nil || len(bs) == 0 {
		return ""
	}
	return bs[0].BlockID
}

// TestCrashSafety kills a real monitor process (SIGKILL) at random moments
// while incidents open and resolve on several checks, restarts it on the same
// database, and checks that no notification was lost or posted twice (bot
// mode looks up a send cut short by the kill before repeating it), threads
// stayed intact and the SQLite file is sound.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real monitor process; skipped with -short")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	bin := buildMonitor(t, dir)
	sl := newCrashSlack(t)
	targets := make([]*target, 5)
	for i := range targets {
		targets[i] = newTarget(t)
	}
	cfgPath, dbPath := writeCrashConfig(t, dir, targets, sl.srv.URL), filepath.Join(dir, "monitor.db")

	stopFlips := flipTargets(targets, rng)
	var kills []time.Time
	for i := range 8 {
		p := startProcess(t, bin, cfgPath, dbPath, filepath.Join(dir, fmt.Sprintf("run%d.log", i)))
		time.Sleep(time.Duration(800+rng.IntN(2200)) * time.Millisecond)
		p.Process.Kill()
		kills = append(kills, time.Now())
		p.Wait()
	}
	stopFlips()
	for _, tg := range targets {
		tg.bypass.Store(false)
	}
	p := startProcess(t, bin, cfgPath, dbPath, filepath.Join(dir, "final.log"))
	waitFor(t, "all incidents resolved and delivered", func() bool { return settled(t, dbPath) })
	p.Process.Signal(syscall.SIGTERM)
	if err := p.Wait(); err != nil {
		t.Fatalf("final monitor exited with %v", err)
	}
	checkDelivery(t, dbPath, sl, kills)
}

func buildMonitor(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "monitor")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func writeCrashConfig(t *testing.T, dir string, targets []*target, slackURL string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[alerts]\nfailure_threshold = 1\nsuccess_threshold = 1\nflap_changes = 0\n\n")
	fmt.Fprintf(&b, "[slack]\ntoken = \"xoxb-crash\"\nchannel = \"#crash\"\napi_url = %q\n\n", slackURL+"/api/")
	for i, tg := range targets {
		fmt.Fprintf(&b, "[[check]]\nname = \"c%d\"\nurl = %q\nschedule = \"@every 1s\"\ntimeout = \"2s\"\n", i, tg.srv.URL+"/me")
		fmt.Fprintf(&b, "[check.auth]\ntype = \"basic\"\nusername = \"canary\"\npassword = %q\n\n", canaryPassword)
	}
	path := filepath.Join(dir, "crash.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// flipTargets breaks and fixes the targets at random until stopped.
func flipTargets(targets []*target, rng *rand.Rand) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	delays := make([]time.Duration, 200)
	picks := make([]int, 200)
	for i := range delays { // drawn up front: rng is not safe for concurrent use
		delays[i], picks[i] = time.Duration(300+rng.IntN(900))*time.Millisecond, rng.IntN(len(targets))
	}
	wg.Go(func() {
		for i := 0; ; i = (i + 1) % len(delays) {
			select {
			case <-done:
				return
			case <-time.After(delays[i]):
				tg := targets[picks[i]]
				tg.bypass.Store(!tg.bypass.Load())
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func startProcess(t *testing.T, bin, cfgPath, dbPath, logPath string) *exec.Cmd {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd := exec.Command(bin, "serve", "-config", cfgPath, "-db", dbPath, "-listen", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd
}

func openRO(t *testing.T, dbPath string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// settled: no open incident and nothing left to deliver.
func settled(t *testing.T, dbPath string) bool {
	db := openRO(t, dbPath)
	defer db.Close()
	var open, pending int
	db.QueryRow(`SELECT COUNT(*) FROM incidents WHERE resolved_ms = 0`).Scan(&open)
	db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE sent_ms IS NULL`).Scan(&pending)
	return open == 0 && pending == 0
}

func checkDelivery(t *testing.T, dbPath string, sl *crashSlack, kills []time.Time) {
	db := openRO(t, dbPath)
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	rows, err := db.Query(`SELECT o.id, o.incident_id, json_extract(o.event_json, '$.kind'), o.failed,
		COALESCE(i.thread_ts, '') FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id ORDER BY o.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	posts := map[string][]slackCall{}
	sl.mu.Lock()
	for _, c := range sl.calls {
		if c.method == "chat.postMessage" {
			posts[c.delivery] = append(posts[c.delivery], c)
		}
	}
	sl.mu.Unlock()
	n, dups := 0, 0
	for rows.Next() {
		var id, incident int64
		var kind string
		var failed bool
		var root string
		rows.Scan(&id, &incident, &kind, &failed, &root)
		got := posts[fmt.Sprintf("authmon-n%d", id)]
		switch {
		case failed:
			t.Errorf("notification %d (%s) gave up", id, kind)
		case len(got) == 0:
			t.Errorf("notification %d (%s, incident %d) was never delivered", id, kind, incident)
		case len(got) > 1:
			dups++
			t.Errorf("notification %d (%s) posted %d times (kill right after the first: %v)",
				id, kind, len(got), killedRightAfter(got[0].at, kills))
		}
		if kind != "opened" && len(got) > 0 && root != "" && got[0].threadTS != root {
			t.Errorf("notification %d (%s) replied under %q, not the incident's root %q", id, kind, got[0].threadTS, root)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d notifications: the test did not exercise enough incidents", n)
	}
	t.Logf("%d notifications over %d kills, %d posted twice", n, len(kills), dups)
}

// killedRightAfter: a kill while the message was in flight or right after
// Slack accepted it, before the monitor could record it as sent. A request
// written just before the kill may reach the stand-in's handler a little
// after it, hence the margin before arrival.
func killedRightAfter(arrived time.Time, kills []time.Time) bool {
	for _, k := range kills {
		if d := k.Sub(arrived); d > -500*time.Millisecond && d < time.Second {
			return true
		}
	}
	return false
}
