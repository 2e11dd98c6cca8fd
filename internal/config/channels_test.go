package config

import (
	"slices"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// TestChannelsRouting: every channel type loads; [slack] stays the default
// channel and takes everything; filters by severity, check and group route
// a check's incidents to several channels; the secrets are collected.
func TestChannelsRouting(t *testing.T) {
	doc := `
[[check]]
name = "login"
group = "idp"
url = "https://auth.example.com/me"
[[check]]
name = "api"
url = "https://api.example.com/me"
[slack]
webhook_url = "https://hooks.slack.example/services/T0/B0/slacksecret123"
[channels.pager]
type = "pagerduty"
routing_key = "pd-routing-key-0123456789"
severities = ["critical-security", "high-security"]
[channels.ops]
type = "opsgenie"
api_key = "og-api-key-0123456789"
checks = ["api"]
[channels.hook]
type = "webhook"
url = "https://hooks.example.com/authmon"
secret = "whsec-0123456789abcdef"
headers = { Authorization = "Bearer hook-bearer-0123456789" }
groups = ["idp"]
[channels.mail]
type = "email"
host = "smtp.example.com"
username = "mailer"
password = "smtp-password-0123456789"
from = "authmon <alerts@example.com>"
to = ["oncall@example.com"]
[channels.chat]
type = "teams"
url = "https://prod.example.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=teamssig0123456789"
[[escalation]]
severities = ["critical-security"]
after = "15m"
to = ["pager", "slack"]
[channels.other-slack]
type = "slack"
token = "xoxb-other-token-0123456789"
channel = "#sec"
`
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ch := range cfg.Channels {
		names = append(names, ch.Name+"="+ch.Type)
	}
	if want := []string{"chat=teams", "hook=webhook", "mail=email", "ops=opsgenie", "other-slack=slack", "pager=pagerduty"}; !slices.Equal(names, want) {
		t.Fatalf("channels %v, want %v", names, want)
	}
	if m := cfg.Channels[2].Email; m.Port != 587 || m.TLS != "starttls" {
		t.Errorf("email defaults: %+v", m)
	}
	login, api := cfg.Policies["login"].Routes, cfg.Policies["api"].Routes
	cases := []struct {
		got  []string
		want []string
	}{
		{login[checks.SevCritical], []string{alert.DefaultChannel, "chat", "hook", "mail", "other-slack", "pager"}},
		{login[checks.SevWarn], []string{alert.DefaultChannel, "chat", "hook", "mail", "other-slack"}},
		{api[checks.SevHighSec], []string{alert.DefaultChannel, "chat", "mail", "ops", "other-slack", "pager"}},
		{api[checks.SevAvail], []string{alert.DefaultChannel, "chat", "mail", "ops", "other-slack"}},
	}
	for i, c := range cases {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("case %d: routes %q, want %q", i, c.got, c.want)
		}
	}
	if e := cfg.Policies["api"].Escalations; len(e) != 1 || e[0].After != 15*time.Minute || !slices.Equal(e[0].To, []string{"pager", alert.DefaultChannel}) {
		t.Errorf("escalations %+v", e)
	}
	for _, s := range []string{"pd-routing-key-0123456789", "og-api-key-0123456789", "whsec-0123456789abcdef",
		"Bearer hook-bearer-0123456789", "smtp-password-0123456789", "teamssig0123456789", "xoxb-other-token-0123456789"} {
		if !slices.Contains(cfg.Secrets, s) {
			t.Errorf("secret %q not collected", s)
		}
	}
}
