package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const slackSigningSecret = "slack-signing-e2e-0123456789"

func writeOnCallConfig(t *testing.T, dir, target, slackURL, pdURL string) string {
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
signing_secret = %q

[channels.pager]
type = "pagerduty"
url = %q
routing_key = %q
severities = ["warning"]   # takes nothing by itself: only what escalates

[[escalation]]
after = "4s"
to = ["pager"]
`, target, slackURL+"/api/", slackSigningSecret, pdURL, pdKey)
	path := filepath.Join(dir, "checks.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// slackAction posts a block_actions payload to /slack/actions, signed at
// ts with secret ("" sends it unsigned), and returns the status.
func slackAction(t *testing.T, base, secret string, ts time.Time, action, value string) (int, http.Header, []byte) {
	t.Helper()
	payload := fmt.Sprintf(`{"type":"block_actions","user":{"id":"U1","username":"alice"},"actions":[{"action_id":%q,"value":%q}]}`, action, value)
	body := []byte("payload=" + url.QueryEscape(payload))
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if secret != "" {
		sts := strconv.FormatInt(ts.Unix(), 10)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("v0:" + sts + ":"))
		m.Write(body)
		h.Set("X-Slack-Request-Timestamp", sts)
		h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
	}
	return postRaw(t, base+"/slack/actions", h, body), h, body
}

func postRaw(t *testing.T, u string, h http.Header, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(string(body)))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// dashboardPost posts form to path the way the dashboard's own form does:
// with the cookie and the token of the page at page.
func dashboardPost(t *testing.T, base, page, path string, form url.Values) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + page)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("no form token on %s", page)
	}
	form.Set("csrf", m[1])
	resp, err = c.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestOnCallEndToEnd: through serve, an incident acknowledged from a
// signed Slack action neither escalates nor reminds, but its root shows
// who and it still resolves; unsigned, stale and replayed actions are
// refused. An incident nobody acknowledges escalates to PagerDuty after
// escalate_after and is resolved there too; it is then acknowledged from
// the dashboard (a post without the form token is refused). A snooze from
// the dashboard silences the check.
func TestOnCallEndToEnd(t *testing.T) {
	t.Setenv("E2E_PASSWORD", canaryPassword)
	dir := t.TempDir()
	tg, sl := newTarget(t), newSlack(t)
	pd := newReceiver(t, parsePagerDuty)
	cfgPath := writeOnCallConfig(t, dir, tg.srv.URL+"/me", sl.srv.URL, pd.srv.URL+"/v2/enqueue")
	m := startMonitor(t, cfgPath, filepath.Join(dir, "monitor.db"))
	defer m.stop(t)
	waitFor(t, "the check to pass", func() bool { return strings.Contains(m.get(t, "/"), "✔ passing") })

	// Incident 1: acknowledged in Slack at once.
	tg.bypass.Store(true)
	waitFor(t, "the root message", func() bool { return len(sl.messages()) >= 1 })
	if root := sl.messages()[0]; !strings.Contains(root["blocks"], "authmon_ack") {
		t.Fatalf("the root message has no Acknowledge button: %v", root)
	}
	now := time.Now()
	if code, _, _ := slackAction(t, m.addr, "", now, "authmon_ack", "1"); code != http.StatusUnauthorized {
		t.Errorf("unsigned action: %d", code)
	}
	if code, _, _ := slackAction(t, m.addr, "wrong-secret-0123456789", now, "authmon_ack", "1"); code != http.StatusUnauthorized {
		t.Errorf("action signed with another secret: %d", code)
	}
	if code, _, _ := slackAction(t, m.addr, slackSigningSecret, now.Add(-6*time.Minute), "authmon_ack", "1"); code != http.StatusUnauthorized {
		t.Errorf("stale action: %d", code)
	}
	code, h, body := slackAction(t, m.addr, slackSigningSecret, now, "authmon_ack", "1")
	if code != http.StatusOK {
		t.Fatalf("signed action: %d", code)
	}
	if code := postRaw(t, m.addr+"/slack/actions", h, body); code != http.StatusUnauthorized {
		t.Errorf("replayed action: %d", code)
	}
	waitFor(t, "the incident page to show the acknowledgement", func() bool {
		return strings.Contains(m.get(t, "/incidents/1"), "Acknowledged by slack:alice")
	})
	waitFor(t, "Slack to show who acknowledged", func() bool {
		for _, msg := range sl.messages() {
			if msg["method"] == "chat.update" && strings.Contains(msg["blocks"], "acknowledged by slack:alice") {
				return true
			}
		}
		return false
	})
	time.Sleep(5 * time.Second) // past escalate_after
	if kinds, _ := pd.kinds(); len(kinds) != 0 {
		t.Fatalf("an acknowledged incident escalated: %v", kinds)
	}
	tg.bypass.Store(false)
	waitFor(t, "incident 1 to resolve", func() bool { return strings.Contains(m.get(t, "/incidents/1"), "lasted") })

	// Incident 2: nobody answers; it escalates, then resolves everywhere.
	tg.bypass.Store(true)
	waitFor(t, "the escalation to PagerDuty", func() bool { k, _ := pd.kinds(); return len(k) >= 1 })
	if k, _ := pd.kinds(); k[0] != "escalated" {
		t.Fatalf("PagerDuty got %v first, want the escalation", k)
	}
	if code := postRaw(t, m.addr+"/incidents/2/ack", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, nil); code != http.StatusForbidden {
		t.Errorf("dashboard ack without the form token: %d", code)
	}
	if code := dashboardPost(t, m.addr, "/incidents/2", "/incidents/2/ack", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("dashboard ack: %d", code)
	}
	if page := m.get(t, "/incidents/2"); !strings.Contains(page, "Acknowledged by anonymous") {
		t.Errorf("incident page does not show the acknowledgement")
	}
	tg.bypass.Store(false)
	waitFor(t, "PagerDuty to resolve", func() bool { k, _ := pd.kinds(); return len(k) >= 2 && k[len(k)-1] == "resolved" })

	// A snooze from the dashboard is a silence: the next regression is
	// held back and shown as snoozed.
	if code := dashboardPost(t, m.addr, "/checks/e2e%20login", "/checks/e2e%20login/snooze", url.Values{"for": {"1h"}}); code != http.StatusSeeOther {
		t.Fatalf("snooze: %d", code)
	}
	if page := m.get(t, "/checks/e2e%20login"); !strings.Contains(page, "snoozed by anonymous") {
		t.Errorf("the check page does not show the snooze")
	}
	before := len(sl.messages())
	tg.bypass.Store(true)
	time.Sleep(3 * time.Second)
	if n := len(sl.messages()); n != before {
		t.Errorf("%d Slack messages while snoozed", n-before)
	}
	if strings.Contains(m.logs.String(), slackSigningSecret) {
		t.Error("the signing secret leaks into the log")
	}
}
