package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAlertTestExplainsA404: a wrong api_url passes validate, and alert
// test used to say only "404"; it names the URL it posted to and what to
// check.
func TestAlertTestExplainsA404(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "slack.toml")
	os.WriteFile(path, []byte(fmt.Sprintf("[slack]\ntoken = \"xoxb-test\"\nchannel = \"#auth\"\napi_url = %q\n"+
		"[[check]]\nname = \"a\"\nurl = \"https://example.com/\"\n", srv.URL+"/slack")), 0o600)
	code, out, errOut := runCLI("alert", "test", "-config", path)
	want := "FAIL the default channel: 404 from " + srv.URL + "/slack/chat.postMessage: is api_url the Slack Web API base, such as https://slack.com/api/?"
	if code != exitFailed || !strings.Contains(out, want) {
		t.Fatalf("exit %d\n%s%s\nwant %s", code, out, errOut, want)
	}
	if strings.Contains(out, "xoxb-test") {
		t.Fatal("the token is shown")
	}

	os.WriteFile(path, []byte(fmt.Sprintf("[slack]\nwebhook_url = %q\n[[check]]\nname = \"a\"\nurl = \"https://example.com/\"\n",
		srv.URL+"/services/T0/B0/secret")), 0o600)
	code, out, errOut = runCLI("alert", "test", "-config", path)
	if code != exitFailed || !strings.Contains(out, "FAIL the default channel: 404 from the incoming webhook: it was deleted") ||
		strings.Contains(out+errOut, "secret") {
		t.Fatalf("webhook: exit %d\n%s%s", code, out, errOut)
	}
}

// TestAlertTestEachChannel: alert test sends to every named channel and
// says which accepted; a failing one fails the command without showing
// its secret.
func TestAlertTestEachChannel(t *testing.T) {
	hook := newReceiver(t, func(r *http.Request, b []byte) (received, error) { return received{key: "test", kind: "test"}, nil })
	pd := newReceiver(t, parsePagerDuty)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusForbidden) }))
	defer down.Close()
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte(fmt.Sprintf(`[[check]]
name = "a"
url = "https://example.com/"
[channels.hook]
type = "webhook"
url = %q
secret = "whsec-cli-0123456789"
[channels.pager]
type = "pagerduty"
url = %q
routing_key = %q
[channels.chat]
type = "teams"
url = %q
`, hook.srv.URL, pd.srv.URL+"/v2/enqueue", pdKey, down.URL+"/invoke?sig=cli-teams-sig-0123456789")), 0o600)
	code, out, errOut := runCLI("alert", "test", "-config", path)
	for _, want := range []string{"ok   channel hook (webhook)", "ok   channel pager (pagerduty)", "FAIL channel chat (teams): teams chat: 403 Forbidden"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if code != exitFailed || strings.Contains(out+errOut, "cli-teams-sig-0123456789") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if k, _ := pd.kinds(); len(k) != 2 || k[0] != "test" || k[1] != "resolved" {
		t.Errorf("PagerDuty got %v, want a test alert triggered and resolved", k)
	}
}
