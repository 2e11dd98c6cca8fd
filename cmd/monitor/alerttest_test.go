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
