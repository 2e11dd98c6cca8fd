package config

import (
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestLoginLimitsAndCanary (item 10): canary_user reaches a Basic
// credential, and each check spends under its set's failed-login limit,
// else [defaults], else the built-in default.
func TestLoginLimitsAndCanary(t *testing.T) {
	doc := `
[defaults]
failed_login_budget = 8

[credentials.ad]
type = "basic"
username = "svc-monitor"
password = "pw"
canary_user = "authmon-canary"
failed_login_window = "45m"

[[check]]
name = "with set"
url = "https://api.example.com/a"
credentials = "ad"

[[check]]
name = "inline"
url = "https://api.example.com/b"
[check.auth]
type = "basic"
username = "u"
password = "p"
failed_login_budget = 3

[[check]]
name = "no account"
url = "https://api.example.com/c"
`
	cfg, err := Parse("t.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]checks.LoginLimit{
		"with set":   {Max: 8, Window: 45 * time.Minute},
		"inline":     {Max: 3, Window: 30 * time.Minute},
		"no account": {Max: 8, Window: 30 * time.Minute},
	}
	for _, ch := range cfg.Checks {
		if got := ch.FailedLogins.OrDefault(); got != want[ch.Name] {
			t.Errorf("%s: limit %s, want %s", ch.Name, got, want[ch.Name])
		}
	}
	if c := cfg.Checks[0].Auth; c.CanaryUser != "authmon-canary" || c.Username != "svc-monitor" {
		t.Errorf("credential %q canary %q", c.Username, c.CanaryUser)
	}
	none, err := Parse("t.toml", []byte("[[check]]\nname = \"x\"\nurl = \"https://a.example.com/\"\n"), noEnv)
	if err != nil || none.Checks[0].FailedLogins.OrDefault() != checks.DefaultLoginLimit {
		t.Fatalf("unset: %v %+v", err, none)
	}
}
