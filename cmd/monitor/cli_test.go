package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/store"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckExitCodes(t *testing.T) {
	t.Setenv("E2E_PASSWORD", canaryPassword)
	dir := t.TempDir()
	tg := newTarget(t)
	cfg := writeConfig(t, dir, tg.srv.URL+"/me", "http://127.0.0.1:9")
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[[check]]\nname = \"x\"\nurl = \"ftp://x\"\n"), 0o600)

	code, out, errOut := runCLI("check", "-config", cfg)
	if code != exitOK || !strings.Contains(out, "1 checks: 1 passed, 0 failed") {
		t.Fatalf("healthy: exit %d\n%s%s", code, out, errOut)
	}
	tg.bypass.Store(true)
	code, out, _ = runCLI("check", "-config", cfg, "e2e login")
	if code != exitFailed || !strings.Contains(out, "[B1 critical-security] without credentials: expected 401 with a Basic challenge, got 200 OK: auth bypass") {
		t.Fatalf("broken: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("check", "-json", "-config", cfg)
	var rep struct {
		Checks []struct {
			Name   string `json:"name"`
			Passed bool   `json:"passed"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFailed || len(rep.Checks) != 1 || rep.Checks[0].Passed {
		t.Fatalf("json: exit %d, %v, %s", code, err, out)
	}
	if strings.Contains(out, canaryPassword) {
		t.Fatal("JSON output contains the password")
	}
	if code, _, errOut = runCLI("check", "-config", bad); code != exitConfig || !strings.Contains(errOut, "bad.toml:3: check[0].url") {
		t.Fatalf("bad config: exit %d, %s", code, errOut)
	}
	if code, _, errOut = runCLI("check", "-config", cfg, "nope"); code != exitConfig || !strings.Contains(errOut, `no check named "nope"`) {
		t.Fatalf("unknown check: exit %d, %s", code, errOut)
	}
}

func TestValidateAndUsage(t *testing.T) {
	example := filepath.Join("..", "..", "checks.example.toml")
	if code, out, errOut := runCLI("validate", "-config", example); code != exitOK || !strings.Contains(out, "OK: 9 checks") {
		t.Fatalf("validate example: exit %d %s %s", code, out, errOut)
	}
	bad := filepath.Join("..", "..", "internal", "config", "testdata", "bad-cron.toml")
	code, _, errOut := runCLI("validate", "-config", bad)
	if code != exitConfig || len(regexp.MustCompile(`bad-cron\.toml:\d+: `).FindAllString(errOut, -1)) != 4 {
		t.Fatalf("validate bad: exit %d\n%s", code, errOut)
	}
	if code, _, errOut = runCLI(); code != exitConfig || !strings.Contains(errOut, "serve -config checks.example.toml") {
		t.Fatalf("usage: exit %d %s", code, errOut)
	}
	if code, out, _ := runCLI("version"); code != exitOK || !strings.HasPrefix(out, "monitor ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, _ = runCLI("frobnicate"); code != exitConfig {
		t.Fatalf("unknown command: exit %d", code)
	}
}

// TestExampleChecksPass runs `monitor check` on the bundled example, which
// serves its own sample API when none is running. The example's check of the
// dashboard itself needs `serve`; TestServeDashboardAuthEndToEnd covers it.
func TestExampleChecksPass(t *testing.T) {
	example := filepath.Join("..", "..", "checks.example.toml")
	cfg, err := config.Load(example)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"check", "-config", example}
	for _, ch := range cfg.Checks {
		if ch.Name != "authmon dashboard" {
			args = append(args, ch.Name)
		}
	}
	if len(args) != 3+len(cfg.Checks)-1 {
		t.Fatalf("the example has no check named %q any more: update this test", "authmon dashboard")
	}
	code, out, errOut := runCLI(args...)
	if code != exitOK {
		t.Fatalf("example: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestAlertTest(t *testing.T) {
	dir := t.TempDir()
	sl := newSlack(t)
	cfg := filepath.Join(dir, "slack.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[slack]
token = "xoxb-test"
channel = "#auth"
api_url = %q
[slack.channels]
critical-security = "#security"
[[check]]
name = "a"
url = "https://example.com/"
`, sl.srv.URL+"/api/")), 0o600)
	code, out, errOut := runCLI("alert", "test", "-config", cfg)
	if code != exitOK || strings.Count(out, "Slack accepted") != 2 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	msgs := sl.messages()
	if len(msgs) != 2 || msgs[0]["channel"] != "#auth" || msgs[1]["channel"] != "#security" {
		t.Fatalf("messages = %v", msgs)
	}
	down := filepath.Join(dir, "down.toml")
	os.WriteFile(down, []byte("[slack]\ntoken = \"xoxb-test\"\nchannel = \"#auth\"\napi_url = \"http://127.0.0.1:9/api/\"\n"+
		"[[check]]\nname = \"a\"\nurl = \"https://example.com/\"\n"), 0o600)
	if code, out, _ = runCLI("alert", "test", "-config", down); code != exitFailed || !strings.Contains(out, "FAIL the default channel") {
		t.Fatalf("unreachable Slack: exit %d\n%s", code, out)
	}
	if code, _, _ = runCLI("alert", "test", "-config", filepath.Join("..", "..", "checks.example.toml")); code != exitConfig {
		t.Fatalf("no [slack]: exit %d", code)
	}
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "monitor.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close() // the copy is taken while the store is open, as under serve
	dst := filepath.Join(dir, "copy.db")
	if code, out, errOut := runCLI("backup", "-db", db, dst); code != exitOK || !strings.Contains(out, "backed up") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if code, _, _ := runCLI("backup", "-db", db, dst); code != exitFailed {
		t.Fatalf("overwrote an existing backup: exit %d", code)
	}
	if code, _, _ := runCLI("backup"); code != exitConfig {
		t.Fatalf("no path: exit %d", code)
	}
}

// TestValidateWarnsOfOverruns (item 11): a check whose worst-case run
// (timeout × requests) exceeds its interval is valid but warned of, with
// what to change; one that fits is not.
func TestValidateWarnsOfOverruns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checks.toml")
	os.WriteFile(path, []byte(`[[check]]
name = "slow"
url = "http://127.0.0.1:9/me"
schedule = "@every 5s"
timeout = "10s"
[check.auth]
type = "bearer"
token = "tok-abcdef"

[[check]]
name = "fits"
url = "http://127.0.0.1:9/me"
schedule = "@every 1m"
timeout = "2s"
`), 0o600)
	code, out, errOut := runCLI("validate", "-config", path)
	if code != exitOK || !strings.Contains(out, "OK: 2 checks") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := `warning: check[0] "slow": a run can take 1m0s (6 requests × 10s timeout) against a target that hangs, longer than its interval of 5s`
	if !strings.Contains(out, want) || strings.Contains(out, `"fits"`) {
		t.Fatalf("want a warning for slow only:\n%s", out)
	}
}
