package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert/email/smtptest"
)

// modalTarget is a Basic-protected endpoint that can answer with the wrong
// realm (a first regression) or let anyone in (a bypass, which worsens it).
type modalTarget struct {
	srv  *httptest.Server
	mode atomic.Int32 // 0 healthy, 1 wrong realm, 2 bypass
}

func newModalTarget(t *testing.T) *modalTarget {
	tg := &modalTarget{}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if tg.mode.Load() == 2 || ok && user == "canary" && pass == canaryPassword {
			fmt.Fprint(w, `{"user":"canary"}`)
			return
		}
		realm := "e2e"
		if tg.mode.Load() == 1 {
			realm = "elsewhere"
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`", charset="UTF-8"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

const smtpPassword = "smtp-e2e-password-0123456789"

// channelSet is one fake receiver per channel type.
type channelSet struct {
	hook, pd, og, teams *receiver
	smtp                *smtptest.Server
}

func (c channelSet) receivers() map[string]*receiver {
	return map[string]*receiver{"webhook": c.hook, "pagerduty": c.pd, "opsgenie": c.og, "teams": c.teams}
}

func writeChannelsConfig(t *testing.T, dir, target string, c channelSet) string {
	t.Helper()
	cfg := fmt.Sprintf(`
[alerts]
reminder = "10m"
delivery_timeout = "1s"

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

[channels.hook]
type = "webhook"
url = %q
secret = %q
headers = { X-Team = "auth" }

[channels.pager]
type = "pagerduty"
url = %q
routing_key = %q

[channels.genie]
type = "opsgenie"
url = %q
api_key = %q

[channels.chat]
type = "teams"
url = %q

[channels.mail]
type = "email"
host = "127.0.0.1"
port = %d
tls = "starttls"
ca_file = "smtp-ca.pem"
username = "mailer"
password = %q
from = "authmon <alerts@mon.example.com>"
to = ["oncall@example.com"]
`, target, c.hook.srv.URL+"/hook", hookSecret, c.pd.srv.URL+"/v2/enqueue", pdKey, c.og.srv.URL, ogKey,
		c.teams.srv.URL+"/workflows/1/invoke?sig=teams-e2e-sig-0123456789", c.smtp.Port, smtpPassword)
	if err := os.WriteFile(filepath.Join(dir, "smtp-ca.pem"), c.smtp.CAPEM, 0o600); err != nil { // STARTTLS, verified
		t.Fatal(err)
	}
	path := filepath.Join(dir, "checks.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mailKinds reads the kinds of the mails taken, once per Message-ID.
func mailKinds(t *testing.T, s *smtptest.Server) ([]string, int) {
	seen := map[string]bool{}
	var out []string
	dups := 0
	for _, m := range s.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("Message-ID")
		if seen[id] {
			dups++
			continue
		}
		seen[id] = true
		subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		k := headKind.FindStringSubmatch(subj)
		if k == nil {
			t.Fatalf("subject %q", subj)
		}
		out = append(out, k[1])
	}
	return out, dups
}

// TestChannelsEndToEnd drives one real incident through `serve` to every
// channel type: opened, updated, a reminder, resolved, each exactly once
// per channel (after deduplicating by the key each service offers), while
// every receiver fails its first requests (5xx, 429 with Retry-After, and
// taking a request then hanging past the delivery timeout).
func TestChannelsEndToEnd(t *testing.T) {
	t.Setenv("E2E_PASSWORD", canaryPassword)
	dir := t.TempDir()
	tg := newModalTarget(t)
	c := channelSet{
		hook:  newReceiver(t, parseWebhook, fault500, fault429, faultHang),
		pd:    newReceiver(t, parsePagerDuty, fault429, faultHang),
		og:    newReceiver(t, parseOpsgenie, faultHang, fault500),
		teams: newReceiver(t, parseTeams, fault500, fault500, fault429),
		smtp:  smtptest.Start(t, smtptest.Options{User: "mailer", Pass: smtpPassword, HangFor: hangFor, StartTLS: true}),
	}
	c.smtp.Fail(smtptest.Temporary, smtptest.Hang)
	cfgPath, dbPath := writeChannelsConfig(t, dir, tg.srv.URL+"/me", c), filepath.Join(dir, "monitor.db")
	m := startMonitor(t, cfgPath, dbPath)
	waitFor(t, "the check to pass", func() bool { return strings.Contains(m.get(t, "/"), "✔ passing") })

	kinds := func() map[string][]string {
		out := map[string][]string{}
		for name, rc := range c.receivers() {
			out[name], _ = rc.kinds()
		}
		out["email"], _ = mailKinds(t, c.smtp)
		return out
	}
	waitAll := func(what string, n int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			all := true
			for _, ks := range kinds() {
				all = all && len(ks) >= n
			}
			if all {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s: %v\n%s", what, kinds(), m.logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	tg.mode.Store(1)
	waitAll("the incident to open everywhere", 1)
	tg.mode.Store(2)
	waitAll("the update everywhere", 2)

	// A reminder is due once the interval has passed: a restart after
	// moving the incident's next reminder into the past stands in for the
	// wait, and must send nothing else again.
	m.stop(t)
	forceReminder(t, dbPath)
	m = startMonitor(t, cfgPath, dbPath)
	waitAll("the reminder everywhere", 3)
	tg.mode.Store(0)
	waitAll("the resolution everywhere", 4)
	time.Sleep(2 * time.Second) // more runs: nothing more may come
	page := m.get(t, "/") + m.get(t, "/checks/e2e%20login")
	m.stop(t)

	want := map[string][]string{
		"webhook":   {"opened", "updated", "reminder", "resolved"},
		"pagerduty": {"opened", "updated", "reminder", "resolved"},
		"opsgenie":  {"opened", "note", "note", "resolved"},
		"teams":     {"opened", "update", "reminder", "resolved"},
		"email":     {"opened", "update", "reminder", "resolved"},
	}
	got := kinds()
	for name, w := range want {
		if !slices.Equal(got[name], w) {
			t.Errorf("%s took %v, want %v", name, got[name], w)
		}
	}
	for name, rc := range c.receivers() {
		if _, dups := rc.kinds(); dups > 1 {
			t.Errorf("%s: %d duplicates, want at most the one retry after the hang", name, dups)
		}
		rc.mu.Lock()
		left, calls := len(rc.faults), rc.calls
		rc.mu.Unlock()
		if left > 0 {
			t.Errorf("%s: %d faults never injected", name, left)
		}
		t.Logf("%s: %d requests for %d notifications", name, calls, len(want[name]))
		if strings.Contains(rc.rawText(), canaryPassword) {
			t.Errorf("the canary password reached %s", name)
		}
	}
	if c.smtp.Attempts() < 4+2 {
		t.Errorf("the SMTP server saw %d attempts: were the faults injected?", c.smtp.Attempts())
	}
	for _, s := range []string{hookSecret, pdKey, ogKey, "teams-e2e-sig-0123456789", smtpPassword, canaryPassword} {
		if strings.Contains(page+m.logs.String(), s) || strings.Contains(readDB(dbPath), s) {
			t.Errorf("secret %q leaks into the dashboard, the log or the database", s)
		}
	}
}

// forceReminder moves the open incident's next reminder into the past.
func forceReminder(t *testing.T, dbPath string) {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.ExecContext(context.Background(), `UPDATE check_state SET state_json =
		json_set(state_json, '$.incident.next_reminder', '2000-01-01T00:00:00Z') WHERE json_extract(state_json, '$.incident') IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		t.Fatalf("%d states with an open incident", n)
	}
}
