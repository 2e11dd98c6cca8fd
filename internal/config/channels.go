package config

import (
	"crypto/x509"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/alert/email"
	"github.com/authmon/monitor/internal/alert/opsgenie"
	"github.com/authmon/monitor/internal/alert/pagerduty"
	"github.com/authmon/monitor/internal/alert/slack"
	"github.com/authmon/monitor/internal/alert/teams"
	"github.com/authmon/monitor/internal/alert/webhook"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// Channel is one validated [channels.NAME]: exactly one of the adapter
// configurations is set, the one its Type names.
type Channel struct {
	Name      string
	Type      string
	Slack     *slack.Config
	Webhook   *webhook.Config
	PagerDuty *pagerduty.Config
	Opsgenie  *opsgenie.Config
	Email     *email.Config
	Teams     *teams.Config
}

// channelTypes lists each type's own keys; routing keys and type are
// common to all.
var channelTypes = map[string][]string{
	"slack":     {"webhook_url", "token", "channel", "api_url"},
	"webhook":   {"url", "secret", "headers", "body_template", "content_type"},
	"pagerduty": {"routing_key", "url"},
	"opsgenie":  {"api_key", "url"},
	"email":     {"host", "port", "tls", "ca_file", "username", "password", "from", "to"},
	"teams":     {"url"},
}

// DefaultChannelName is how the log and the dashboard name the default
// channel: the [slack] section.
const DefaultChannelName = "slack"

// buildChannels validates [channels.*] and returns them sorted by name,
// with the routes of every channel (the [slack] section, when there are
// named channels too, takes everything, as it did alone).
func buildChannels(c *collector, f *file, list []checks.Check) ([]Channel, []alert.Route) {
	if len(f.Channels) == 0 {
		return nil, nil
	}
	var out []Channel
	var routes []alert.Route
	if f.Slack != nil {
		routes = append(routes, alert.Route{Channel: alert.DefaultChannel})
		if _, clash := f.Channels[DefaultChannelName]; clash {
			c.add("channels."+DefaultChannelName, "the name %q is the [slack] section's: rename this channel, or move [slack] here with type = \"slack\"", DefaultChannelName)
		}
	}
	for _, name := range slices.Sorted(mapKeys(f.Channels)) {
		key := "channels." + quoteKey(name)
		s := f.Channels[name]
		ch, ok := buildChannel(c, key, name, s)
		if !ok {
			continue
		}
		out = append(out, ch)
		routes = append(routes, buildRoute(c, key, name, s, list))
	}
	return out, routes
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// buildChannel checks the type and its keys and builds the adapter's
// configuration.
func buildChannel(c *collector, key, name string, s *channelSection) (Channel, bool) {
	own, ok := channelTypes[s.Type]
	if !ok {
		c.add(key+".type", "unknown channel type %q (want slack, webhook, pagerduty, opsgenie, email or teams)", s.Type)
		return Channel{}, false
	}
	for _, k := range channelKeys() {
		if c.has(key+"."+k) && !slices.Contains(own, k) && !slices.Contains(routeKeys, k) && k != "type" {
			c.add(key+"."+k, "not a key of a %s channel (its keys: %s)", s.Type, strings.Join(own, ", "))
		}
	}
	ch := Channel{Name: name, Type: s.Type}
	switch s.Type {
	case "slack":
		ch.Slack = buildSlack(c, &slackSection{WebhookURL: s.WebhookURL, Token: s.Token, Channel: s.Channel, APIURL: s.APIURL})
	case "webhook":
		ch.Webhook = buildWebhook(c, key, name, s)
	case "pagerduty":
		ch.PagerDuty = &pagerduty.Config{RoutingKey: s.RoutingKey, URL: s.URL}
		required(c, key+".routing_key", s.RoutingKey, "the integration key of an Events API v2 integration")
		optionalURL(c, key+".url", s.URL)
	case "opsgenie":
		ch.Opsgenie = &opsgenie.Config{APIKey: s.APIKey, URL: s.URL}
		required(c, key+".api_key", s.APIKey, "the API key of an API integration")
		optionalURL(c, key+".url", s.URL)
	case "email":
		ch.Email = buildEmail(c, key, s)
	case "teams":
		ch.Teams = &teams.Config{URL: s.URL}
		if required(c, key+".url", s.URL, "the HTTP POST URL of a Workflows \"When a Teams webhook request is received\" trigger") {
			checkSlackURL(c, key+".url", s.URL)
		}
	}
	return ch, true
}

var routeKeys = []string{"severities", "checks", "groups"}

// channelKeys are the TOML keys of channelSection.
func channelKeys() []string {
	t := reflect.TypeFor[channelSection]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		out = append(out, strings.Split(t.Field(i).Tag.Get("toml"), ",")[0])
	}
	return out
}

func required(c *collector, key, v, what string) bool {
	if v == "" {
		c.add(key, "required: %s", what)
		return false
	}
	return true
}

func optionalURL(c *collector, key, v string) {
	if v != "" {
		checkSlackURL(c, key, v)
	}
}

func buildWebhook(c *collector, key, name string, s *channelSection) *webhook.Config {
	cfg := &webhook.Config{URL: s.URL, Secret: s.Secret, Headers: s.Headers, BodyTemplate: s.BodyTemplate, ContentType: s.ContentType}
	if required(c, key+".url", s.URL, "the receiver's URL") {
		checkSlackURL(c, key+".url", s.URL)
	}
	if required(c, key+".secret", s.Secret, "the HMAC-SHA256 key receivers verify X-Authmon-Signature with (e.g. \"${WEBHOOK_SECRET}\")") && len(s.Secret) < 16 {
		c.add(key+".secret", "too short: use at least 16 characters")
	}
	if _, err := webhook.New(name, *cfg, nil, nil, nil); err != nil {
		c.add(key+".body_template", "%v", err)
	}
	return cfg
}

func buildEmail(c *collector, key string, s *channelSection) *email.Config {
	cfg := &email.Config{Host: s.Host, Port: int(s.Port), TLS: s.TLS, Username: s.Username, Password: s.Password, From: s.From, To: s.To}
	required(c, key+".host", s.Host, "the SMTP server")
	required(c, key+".from", s.From, "the sender address")
	if len(s.To) == 0 {
		c.add(key+".to", "required: at least one recipient")
	}
	switch s.TLS {
	case "", email.StartTLS:
		cfg.TLS = email.StartTLS
	case email.Implicit:
	case email.NoTLS:
		if !loopback(s.Host) {
			c.add(key+".tls", "\"none\" is allowed only to localhost or 127.0.0.1 (a local relay): use \"starttls\" or \"implicit\"")
		}
	default:
		c.add(key+".tls", "want \"starttls\" (port 587), \"implicit\" (port 465) or \"none\" (a local relay)")
	}
	if s.CAFile != "" {
		if cfg.TLS == email.NoTLS {
			c.add(key+".ca_file", "a CA is for a server that speaks TLS: use tls = \"starttls\" or \"implicit\", or remove ca_file")
		} else if pem := loadCA(c, key+".ca_file", relativeTo(filepath.Dir(c.file), s.CAFile)); pem != nil {
			pool, err := x509.SystemCertPool()
			if err != nil {
				pool = x509.NewCertPool()
			}
			pool.AppendCertsFromPEM(pem)
			cfg.RootCAs = pool
		}
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{email.StartTLS: 587, email.Implicit: 465, email.NoTLS: 25}[cfg.TLS]
	} else if s.Port < 1 || s.Port > 65535 {
		c.add(key+".port", "must be a TCP port")
	}
	if (s.Username == "") != (s.Password == "") {
		c.add(key, "set both username and password, or neither")
	}
	return cfg
}

// buildRoute validates a channel's filters.
func buildRoute(c *collector, key, name string, s *channelSection, list []checks.Check) alert.Route {
	r := alert.Route{Channel: name, Checks: s.Checks, Groups: s.Groups}
	for i, sev := range s.Severities {
		v := checks.ParseSeverity(sev)
		if v == checks.SevNone {
			c.add(key+".severities["+itoa(i)+"]", "unknown severity %q (want critical-security, high-security, availability, conformance or warning)", sev)
			continue
		}
		r.Severities = append(r.Severities, v)
	}
	names, groups := map[string]bool{}, map[string]bool{}
	for _, ch := range list {
		names[ch.Name], groups[ch.Group] = true, true
	}
	for i, n := range s.Checks {
		if !names[n] {
			c.add(key+".checks["+itoa(i)+"]", "no check named %q", n)
		}
	}
	for i, g := range s.Groups {
		if !groups[g] {
			c.add(key+".groups["+itoa(i)+"]", "no check is in group %q", g)
		}
	}
	return r
}

// channelSecrets lists the values of every channel that must never be shown.
func channelSecrets(chs []Channel) []string {
	var out []string
	for _, ch := range chs {
		switch {
		case ch.Slack != nil:
			out = append(out, ch.Slack.Token)
			out = append(out, redact.URLSecrets(ch.Slack.WebhookURL)...)
		case ch.Webhook != nil:
			out = append(out, webhook.Secrets(*ch.Webhook)...)
		case ch.PagerDuty != nil:
			out = append(out, ch.PagerDuty.RoutingKey)
		case ch.Opsgenie != nil:
			out = append(out, ch.Opsgenie.APIKey)
		case ch.Email != nil:
			out = append(out, ch.Email.Password)
		case ch.Teams != nil:
			out = append(out, redact.URLSecrets(ch.Teams.URL)...)
			out = append(out, queryValues(ch.Teams.URL)...) // sig= alone is the secret
		}
	}
	return out
}

// queryValues lists a URL's query values.
func queryValues(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	return out
}

// escalationRule is a validated [[escalation]] with its check filters.
type escalationRule struct {
	esc    alert.Escalation
	checks []string
	groups []string
}

// buildEscalations validates [[escalation]]: each names known channels
// (or "slack", the default channel) and a delay.
func buildEscalations(c *collector, f *file, chs []Channel, list []checks.Check) []escalationRule {
	known := map[string]bool{}
	for _, ch := range chs {
		known[ch.Name] = true
	}
	var out []escalationRule
	for i, e := range f.Escalations {
		key := "escalation[" + itoa(i) + "]"
		r := buildRoute(c, key, "", &channelSection{Severities: e.Severities, Checks: e.Checks, Groups: e.Groups}, list)
		rule := escalationRule{esc: alert.Escalation{Severities: r.Severities, After: e.After.Duration}, checks: e.Checks, groups: e.Groups}
		if !e.After.set {
			c.add(key+".after", "required: how long an incident may stay unacknowledged, e.g. \"15m\"")
		}
		if len(e.To) == 0 {
			c.add(key+".to", "required: the channels to escalate to, e.g. [\"pager\"]")
		}
		for j, to := range e.To {
			switch {
			case to == DefaultChannelName && f.Slack != nil:
				rule.esc.To = append(rule.esc.To, alert.DefaultChannel)
			case known[to]:
				rule.esc.To = append(rule.esc.To, to)
			default:
				c.add(key+".to["+itoa(j)+"]", "no channel named %q: define it as [channels.%s]", to, quoteKey(to))
			}
		}
		out = append(out, rule)
	}
	return out
}

// escalationsFor lists the escalations that apply to a check.
func escalationsFor(rules []escalationRule, check, group string) []alert.Escalation {
	var out []alert.Escalation
	for _, r := range rules {
		if (len(r.checks) == 0 || slices.Contains(r.checks, check)) && (len(r.groups) == 0 || slices.Contains(r.groups, group)) {
			out = append(out, r.esc)
		}
	}
	return out
}
