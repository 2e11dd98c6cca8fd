package config

import (
	"fmt"
	"time"
)

// file is the TOML document as written by a person. Field tags are the keys;
// every key not listed here is an error.
type file struct {
	Monitor  monitorSection `toml:"monitor"`
	Defaults defaults       `toml:"defaults"`
	Demo     *demoSection   `toml:"demo"`
	Slack    *slackSection  `toml:"slack"`
	Checks   []checkSection `toml:"check"`
}

type monitorSection struct {
	PublicURL string `toml:"public_url"`
}

type defaults struct {
	Schedule     string   `toml:"schedule"`
	Timeout      duration `toml:"timeout"`
	MaxBodyBytes int64    `toml:"max_body_bytes"`
}

type demoSection struct {
	Enabled  bool   `toml:"enabled"`
	Listen   string `toml:"listen"`
	Username string `toml:"username"`
	Password string `toml:"password"`
	Token    string `toml:"token"`
	APIKey   string `toml:"api_key"`
	Mode     string `toml:"mode"`
}

type slackSection struct {
	WebhookURL string `toml:"webhook_url"`
	Token      string `toml:"token"`
	Channel    string `toml:"channel"`
	APIURL     string `toml:"api_url"`
}

type checkSection struct {
	Name         string            `toml:"name"`
	Schedule     string            `toml:"schedule"`
	Timeout      duration          `toml:"timeout"`
	Method       string            `toml:"method"`
	URL          string            `toml:"url"`
	Headers      map[string]string `toml:"headers"`
	MaxBodyBytes int64             `toml:"max_body_bytes"`
	Probes       []string          `toml:"probes"`
	Auth         *authSection      `toml:"auth"`
	Valid        *probeSection     `toml:"valid"`
	Missing      *probeSection     `toml:"missing"`
	Wrong        *probeSection     `toml:"wrong"`
}

type authSection struct {
	Type     string `toml:"type"`
	Username string `toml:"username"`
	Password string `toml:"password"`
	Token    string `toml:"token"`
	Header   string `toml:"header"`
	Key      string `toml:"key"`
}

type probeSection struct {
	Status       statusList `toml:"status"`
	Scheme       string     `toml:"scheme"`
	Realm        string     `toml:"realm"`
	BodyContains string     `toml:"body_contains"`
}

// duration reads a Go duration string such as "10s" or "1m30s".
type duration struct {
	time.Duration
	set bool
}

func (d *duration) setTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("expected a duration string such as \"10s\", got %s", kindOf(v))
	}
	parsed, err := time.ParseDuration(s)
	if err != nil || parsed <= 0 {
		return fmt.Errorf("%q is not a positive duration (use e.g. \"10s\", \"1m30s\")", s)
	}
	d.Duration, d.set = parsed, true
	return nil
}

// statusList reads either one status code or an array of them.
type statusList []int

func (l *statusList) setTOML(v any) error {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out := make(statusList, 0, len(items))
	for _, item := range items {
		n, ok := item.(int64)
		if !ok || n < 100 || n > 599 {
			return fmt.Errorf("expected an HTTP status code (100-599) or an array of them, got %s", kindOf(item))
		}
		out = append(out, int(n))
	}
	*l = out
	return nil
}
