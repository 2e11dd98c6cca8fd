package config

import (
	"encoding/hex"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/alert/slack"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// Defaults applied when the file does not say otherwise.
const (
	DefaultSchedule = "@every 30s"
	DefaultTimeout  = 10 * time.Second
	DefaultMaxBody  = 1 << 20
	DefaultDemoAddr = "127.0.0.1:8081"
	maxTimeout      = 5 * time.Minute
	maxBodyLimit    = 64 << 20
)

// DemoModes are the behaviours of the sample API; all but "ok" are broken.
var DemoModes = []string{"ok", "bypass", "no-challenge", "wrong-accepted", "down"}

// build validates the decoded file and converts it to a Config.
func build(c *collector, f *file) *Config {
	cfg := &Config{PublicURL: strings.TrimRight(f.Monitor.PublicURL, "/"), Location: f.Monitor.Location}
	checkLocationName(c, "monitor.location", f.Monitor.Location)
	if f.Monitor.PublicURL != "" {
		checkURL(c, "monitor.public_url", f.Monitor.PublicURL)
	}
	d := resolveDefaults(c, f.Defaults)
	sets := buildCredentialSets(c, f.Credentials, filepath.Dir(c.file))
	cfg.Secrets = append(cfg.Secrets, sets.secrets()...)
	if len(f.Checks) == 0 && !f.Monitor.AllowNoChecks {
		c.add("check", "the file defines no [[check]]: add one (see checks.example.toml), or set [monitor] allow_no_checks = true to run none")
	}
	seen := make(map[string]string, len(f.Checks))
	cfg.Checks = make([]checks.Check, 0, len(f.Checks)) // a Check is large: growing the slice copied ~35 MB at 10,000
	for i := range f.Checks {
		key := "check[" + itoa(i) + "]"
		ch := buildCheck(c, key, &f.Checks[i], d, sets)
		if prev, dup := seen[strings.ToLower(ch.Name)]; dup && ch.Name != "" {
			c.add(key+".name", "duplicate check name %q (first used by %s)", ch.Name, prev)
		}
		seen[strings.ToLower(ch.Name)] = key
		cfg.Checks = append(cfg.Checks, ch)
		cfg.Secrets = append(cfg.Secrets, ch.Secrets...)
	}
	applyLoginLimits(c, f.Defaults.budgetKeys, cfg.Checks)
	var routes []alert.Route
	cfg.Channels, routes = buildChannels(c, f, cfg.Checks)
	cfg.Secrets = append(cfg.Secrets, channelSecrets(cfg.Channels)...)
	escalations := buildEscalations(c, f, cfg.Channels, cfg.Checks)
	cfg.Policies = buildPolicies(c, f, cfg, routes)
	if len(escalations) > 0 {
		for _, ch := range cfg.Checks {
			p := cfg.Policies[ch.Name]
			p.Escalations = escalationsFor(escalations, ch.Name, ch.Group)
			cfg.Policies[ch.Name] = p
		}
	}
	cfg.DeliveryTimeout = deliveryTimeout(c, f.Alerts.DeliveryTimeout)
	checkSlackRouting(c, f)
	cfg.Slack = buildSlack(c, f.Slack)
	if cfg.Slack != nil {
		cfg.SlackSigningSecret = f.Slack.SigningSecret
		cfg.Secrets = append(cfg.Secrets, cfg.Slack.Token, cfg.SlackSigningSecret)
		if cfg.Slack.WebhookURL != "" {
			cfg.Secrets = append(cfg.Secrets, redact.URLSecrets(cfg.Slack.WebhookURL)...)
		}
	}
	cfg.Demo = buildDemo(c, f.Demo)
	if cfg.Demo != nil {
		cfg.Secrets = append(cfg.Secrets, demoSecrets(cfg.Demo)...)
	}
	for _, e := range c.env {
		cfg.Secrets = append(cfg.Secrets, e.value)
	}
	cfg.MaxConcurrency, cfg.MaxPerHost = buildLimits(c, f.Monitor)
	cfg.Retention = buildRetention(c, f.Storage)
	cfg.FoldRepeats = f.Storage.FoldRepeats == nil || *f.Storage.FoldRepeats
	cfg.StorageURL = buildStorageURL(c, f.Storage.URL)
	cfg.Secrets = append(cfg.Secrets, storageSecrets(cfg.StorageURL)...)
	cfg.Dashboard = buildDashboard(c, f.Dashboard)
	cfg.StatusPage = buildStatusPage(c, f.StatusPage, cfg.Checks)
	cfg.Secrets = append(cfg.Secrets, dashboardSecrets(cfg.Dashboard)...)
	cfg.Secrets = nonEmpty(cfg.Secrets)
	slices.Sort(cfg.Secrets)
	cfg.Secrets = slices.Compact(cfg.Secrets)
	return cfg
}

// demoSecrets are the sample API's credentials, pairs included.
func demoSecrets(d *Demo) []string {
	out := []string{d.Password, d.Token, d.APIKey, d.ClientSecret}
	out = append(out, checks.PairSecrets(d.Username, d.Password)...)
	return append(out, checks.PairSecrets(d.ClientID, d.ClientSecret)...)
}

// dashboardSecrets are the dashboard's password hashes and token digests:
// not credentials themselves, but a leaked hash can be attacked offline.
func dashboardSecrets(d Dashboard) []string {
	var out []string
	for _, u := range d.Users {
		out = append(out, u.PasswordHash)
	}
	for _, t := range d.Tokens {
		out = append(out, hex.EncodeToString(t[:]))
	}
	return out
}

type resolved struct {
	schedule string
	timeout  time.Duration
	maxBody  int64
}

func resolveDefaults(c *collector, d defaults) resolved {
	r := resolved{schedule: DefaultSchedule, timeout: DefaultTimeout, maxBody: DefaultMaxBody}
	if d.Schedule != "" {
		r.schedule = d.Schedule
		checkSchedule(c, "defaults.schedule", d.Schedule)
	}
	if d.Timeout.set {
		r.timeout = d.Timeout.Duration
		checkTimeout(c, "defaults.timeout", r.timeout)
	}
	if d.MaxBodyBytes != 0 || c.has("defaults.max_body_bytes") {
		r.maxBody = d.MaxBodyBytes
		checkMaxBody(c, "defaults.max_body_bytes", r.maxBody)
	}
	return r
}

func checkTimeout(c *collector, key string, d time.Duration) {
	if d > maxTimeout {
		c.add(key, "timeout %s is longer than the maximum %s", d, maxTimeout)
	}
}

func checkMaxBody(c *collector, key string, n int64) {
	if n < 1 || n > maxBodyLimit {
		c.add(key, "must be between 1 and %d bytes (leave it out for the default, %d)", maxBodyLimit, DefaultMaxBody)
	}
}

// checkURL requires an absolute http(s) URL with a host.
func checkURL(c *collector, key, raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		c.add(key, "invalid URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		c.add(key, "URL must start with http:// or https://")
	case u.Host == "":
		c.add(key, "URL has no host")
	case u.User != nil:
		c.add(key, "URL carries credentials: put them in [check.auth] (with ${ENV} references) so they stay out of the evidence")
	}
}

func buildSlack(c *collector, s *slackSection) *slack.Config {
	if s == nil {
		return nil
	}
	switch {
	case s.WebhookURL != "" && s.Token != "":
		c.add("slack", "set either webhook_url or token, not both")
	case s.WebhookURL == "" && s.Token == "":
		c.add("slack", "set webhook_url (incoming webhook) or token and channel (bot); remove [slack] to only log alerts")
	case s.Token != "" && s.Channel == "":
		c.add("slack.channel", "a bot token needs a channel, e.g. \"#auth-alerts\"")
	case s.WebhookURL != "":
		checkSlackURL(c, "slack.webhook_url", s.WebhookURL)
	}
	if s.APIURL != "" {
		checkSlackURL(c, "slack.api_url", s.APIURL)
		checkAPIBase(c, "slack.api_url", s.APIURL)
	}
	if s.SigningSecret != "" && s.Token == "" {
		c.add("slack.signing_secret", "buttons need a bot token: an incoming webhook cannot show them")
	}
	return &slack.Config{WebhookURL: s.WebhookURL, Token: s.Token, Channel: s.Channel, APIURL: s.APIURL,
		Buttons: s.SigningSecret != "" && s.Token != ""}
}

func buildDemo(c *collector, d *demoSection) *Demo {
	if d == nil || !d.Enabled {
		return nil
	}
	out := &Demo{Listen: d.Listen, Username: d.Username, Password: d.Password, Token: d.Token, APIKey: d.APIKey, Mode: d.Mode,
		ClientID: d.ClientID, ClientSecret: d.ClientSecret}
	if out.Listen == "" {
		out.Listen = DefaultDemoAddr
	}
	if host, _, err := net.SplitHostPort(out.Listen); err != nil {
		c.add("demo.listen", "want host:port, e.g. %q", DefaultDemoAddr)
	} else if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		c.add("demo.listen", "the sample API only listens on loopback (127.0.0.1, ::1 or localhost)")
	}
	if out.Mode == "" {
		out.Mode = "ok"
	} else if !slices.Contains(DemoModes, out.Mode) {
		c.add("demo.mode", "unknown mode %q (want one of %s)", out.Mode, strings.Join(DemoModes, ", "))
	}
	required := []struct{ key, v string }{
		{"username", d.Username}, {"password", d.Password}, {"token", d.Token}, {"api_key", d.APIKey}}
	for _, r := range required {
		if r.v == "" {
			c.add("demo."+r.key, "required when the demo is enabled")
		}
	}
	return out
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
