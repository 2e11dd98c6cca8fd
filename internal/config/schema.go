package config

import (
	"fmt"
	"time"
)

// file is the TOML document as written by a person. Field tags are the keys;
// every key not listed here is an error.
type file struct {
	Monitor  monitorSection   `toml:"monitor"`
	Defaults defaults         `toml:"defaults"`
	Alerts   alertsSection    `toml:"alerts"`
	Silences []silenceSection `toml:"silence"`
	Demo     *demoSection     `toml:"demo"`
	Slack    *slackSection    `toml:"slack"`
	// Escalations route unacknowledged incidents to more channels.
	Escalations []escalationSection `toml:"escalation"`
	// Channels are the named alert channels, [channels.NAME].
	Channels map[string]*channelSection `toml:"channels"`
	Storage  storageSection             `toml:"storage"`
	Checks   []checkSection             `toml:"check"`
	// Credentials are the named credential sets, [credentials.NAME].
	Credentials map[string]*credentialSection `toml:"credentials"`
	// Dashboard says who may open the dashboard and where it listens.
	Dashboard *dashboardSection `toml:"dashboard"`
	// StatusPage is the public status page; nil leaves it off.
	StatusPage *statusPageSection `toml:"status_page"`
}

type alertsSection struct {
	FailureThreshold int64    `toml:"failure_threshold"`
	SuccessThreshold int64    `toml:"success_threshold"`
	Reminder         duration `toml:"reminder"`
	FlapChanges      *int64   `toml:"flap_changes"`
	FlapWindow       duration `toml:"flap_window"`
	FlapCalm         duration `toml:"flap_calm"`
	// DeliveryTimeout bounds one delivery attempt to a channel.
	DeliveryTimeout duration `toml:"delivery_timeout"`
}

type silenceSection struct {
	Checks   []string  `toml:"checks"`
	Start    timestamp `toml:"start"`
	End      timestamp `toml:"end"`
	Schedule string    `toml:"schedule"`
	Duration duration  `toml:"duration"`
	Reason   string    `toml:"reason"`
}

type monitorSection struct {
	PublicURL      string `toml:"public_url"`
	MaxConcurrency int64  `toml:"max_concurrency"`
	MaxPerHost     int64  `toml:"max_per_host"`
	// AllowNoChecks accepts a file without checks: otherwise an empty or
	// truncated file, loaded by a reload, would stop every check.
	AllowNoChecks bool `toml:"allow_no_checks"`
	// Location is where this instance probes from, in a fleet on
	// PostgreSQL (AUTHMON_LOCATION and -location take precedence).
	Location string `toml:"location"`
}

// storageSection holds the database and retention in days; nil means "not
// set", 0 forever.
type storageSection struct {
	URL string `toml:"url"` // a postgres:// URL; empty: the SQLite file of -db

	RawDays    *int64 `toml:"raw_days"`
	HourlyDays *int64 `toml:"hourly_days"`
	DailyDays  *int64 `toml:"daily_days"`
	// FoldRepeats folds passing runs that repeat the row before them
	// (SQLite); nil: on.
	FoldRepeats *bool `toml:"fold_repeats"`
}

type defaults struct {
	Schedule     string   `toml:"schedule"`
	Timeout      duration `toml:"timeout"`
	MaxBodyBytes int64    `toml:"max_body_bytes"`
	budgetKeys            // failed_login_budget, failed_login_window (budget.go)
}

type demoSection struct {
	Enabled  bool   `toml:"enabled"`
	Listen   string `toml:"listen"`
	Username string `toml:"username"`
	Password string `toml:"password"`
	Token    string `toml:"token"`
	APIKey   string `toml:"api_key"`
	Mode     string `toml:"mode"`
	// ClientID and ClientSecret are optional (default demo-client and
	// demo-client-secret).
	ClientID     string `toml:"client_id"`
	ClientSecret string `toml:"client_secret"`
}

type slackSection struct {
	WebhookURL string            `toml:"webhook_url"`
	Token      string            `toml:"token"`
	Channel    string            `toml:"channel"`
	APIURL     string            `toml:"api_url"`
	Mention    string            `toml:"mention"`
	Channels   map[string]string `toml:"channels"` // severity name -> channel
	// SigningSecret verifies Slack's interactivity requests (the
	// Acknowledge and Snooze buttons); "" shows no buttons.
	SigningSecret string `toml:"signing_secret"`
}

// escalationSection is one [[escalation]]: after this long unacknowledged,
// the incidents it matches also go to the channels in to.
type escalationSection struct {
	Severities []string `toml:"severities"`
	Checks     []string `toml:"checks"`
	Groups     []string `toml:"groups"`
	After      duration `toml:"after"`
	To         []string `toml:"to"`
}

// channelSection is one [channels.NAME]: type says which of the keys
// apply; severities, checks and groups filter what it receives.
type channelSection struct {
	Type       string   `toml:"type"`
	Severities []string `toml:"severities"`
	Checks     []string `toml:"checks"`
	Groups     []string `toml:"groups"`

	WebhookURL string `toml:"webhook_url"`
	Token      string `toml:"token"`
	Channel    string `toml:"channel"`
	APIURL     string `toml:"api_url"`

	URL          string            `toml:"url"`
	Secret       string            `toml:"secret"`
	Headers      map[string]string `toml:"headers"`
	BodyTemplate string            `toml:"body_template"`
	ContentType  string            `toml:"content_type"`
	RoutingKey   string            `toml:"routing_key"`
	APIKey       string            `toml:"api_key"`

	Host     string   `toml:"host"`
	Port     int64    `toml:"port"`
	TLS      string   `toml:"tls"`
	CAFile   string   `toml:"ca_file"` // email: a PEM CA trusted besides the system's
	Username string   `toml:"username"`
	Password string   `toml:"password"`
	From     string   `toml:"from"`
	To       []string `toml:"to"`
}

type checkSection struct {
	Name            string            `toml:"name"`
	Kind            string            `toml:"kind"`
	Group           string            `toml:"group"`
	Schedule        string            `toml:"schedule"`
	Timeout         duration          `toml:"timeout"`
	Method          string            `toml:"method"`
	URL             string            `toml:"url"`
	Headers         map[string]string `toml:"headers"`
	MaxBodyBytes    int64             `toml:"max_body_bytes"`
	FollowRedirects bool              `toml:"follow_redirects"`
	TLS             *tlsSection       `toml:"tls"`           // the check's own CA, server name, verification (conn.go)
	Proxy           string            `toml:"proxy"`         // a forward proxy URL; its password is a secret
	TLSWarnDays     *[]int64          `toml:"tls_warn_days"` // nil: the default
	Ignore          []string          `toml:"ignore"`        // assertion ids this check waives
	Probes          []string          `toml:"probes"`
	Failure         int64             `toml:"failure_threshold"`
	Success         int64             `toml:"success_threshold"`
	Reminder        duration          `toml:"reminder"`
	SlackChannel    string            `toml:"slack_channel"`
	Locations       []string          `toml:"locations"` // fleet locations to probe from; nil: every one
	Quorum          *int64            `toml:"quorum"`    // fresh locations that must agree on an availability failure
	// Credentials names a [credentials.NAME] set; Auth is an inline one.
	Credentials string             `toml:"credentials"`
	Auth        *credentialSection `toml:"auth"`
	// The tables of the kinds that need more than a URL.
	Login       *loginFields        `toml:"login"`
	Token       *tokenSection       `toml:"token"`
	Discovery   *discoverySection   `toml:"discovery"`
	OIDC        *oidcSection        `toml:"oidc"`
	Enumeration *enumerationSection `toml:"enumeration"`
	JWT         *jwtSection         `toml:"jwt"`
	// The expectations of the protected-endpoint probes.
	Valid     *probeSection `toml:"valid"`
	Missing   *probeSection `toml:"missing"`
	Malformed *probeSection `toml:"malformed"`
	Wrong     *probeSection `toml:"wrong"`
	Expired   *probeSection `toml:"expired"`
	Scope     *probeSection `toml:"scope"`
	Forged    *probeSection `toml:"forged"`
}

type probeSection struct {
	Status       statusList `toml:"status"`
	Scheme       string     `toml:"scheme"`
	Realm        string     `toml:"realm"`
	BodyContains string     `toml:"body_contains"`
	JSON         jsonPaths  `toml:"json"`
	Location     string     `toml:"location"`
	Token        string     `toml:"token"`
	Error        string     `toml:"error"`
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

// timestamp reads a TOML offset date-time (2026-12-01T02:00:00Z) or the same
// as an RFC 3339 string.
type timestamp struct{ time.Time }

func (t *timestamp) setTOML(v any) error {
	switch x := v.(type) {
	case time.Time:
		t.Time = x.UTC()
		return nil
	case string:
		parsed, err := time.Parse(time.RFC3339, x)
		if err != nil {
			return fmt.Errorf("%q is not an RFC 3339 time such as 2026-12-01T02:00:00Z", x)
		}
		t.Time = parsed.UTC()
		return nil
	}
	return fmt.Errorf("expected a date-time with an offset such as 2026-12-01T02:00:00Z, got %s", kindOf(v))
}
