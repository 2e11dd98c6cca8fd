package config

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// buildPolicies gives every check its alert policy: [alerts] defaults,
// the check's own overrides, the silences naming it, and Slack routing.
func buildPolicies(c *collector, f *file, cfg *Config, routes []alert.Route) map[string]alert.Policy {
	base := basePolicy(c, f.Alerts)
	silences := buildSilences(c, f.Silences, cfg.Checks)
	route := buildRouting(c, f.Slack)
	out := make(map[string]alert.Policy, len(cfg.Checks))
	for i, ch := range cfg.Checks {
		key := "check[" + itoa(i) + "]"
		s := &f.Checks[i]
		p := base
		p.FailureThreshold = threshold(c, key+".failure_threshold", s.Failure, p.FailureThreshold)
		p.SuccessThreshold = threshold(c, key+".success_threshold", s.Success, p.SuccessThreshold)
		if s.Reminder.set {
			p.Reminder = reminder(c, key+".reminder", s.Reminder.Duration)
		}
		p.Silences = silences[ch.Name]
		p.Channel, p.SeverityChannels, p.Mention = s.SlackChannel, route.channels, route.mention
		if routes != nil {
			p.Routes = alert.RouteSeverities(routes, ch.Name, ch.Group)
		}
		if s.SlackChannel != "" && route.webhook {
			c.add(key+".slack_channel", "an incoming webhook posts to one fixed channel: routing needs a bot token")
		}
		if cfg.PublicURL != "" {
			p.DashboardURL = cfg.PublicURL + "/checks/" + url.PathEscape(ch.Name)
		}
		out[ch.Name] = p
	}
	return out
}

func basePolicy(c *collector, a alertsSection) alert.Policy {
	p := alert.DefaultPolicy()
	p.FailureThreshold = threshold(c, "alerts.failure_threshold", a.FailureThreshold, p.FailureThreshold)
	p.SuccessThreshold = threshold(c, "alerts.success_threshold", a.SuccessThreshold, p.SuccessThreshold)
	if a.Reminder.set {
		p.Reminder = reminder(c, "alerts.reminder", a.Reminder.Duration)
	}
	if a.FlapChanges != nil {
		if *a.FlapChanges < 0 || *a.FlapChanges == 1 || *a.FlapChanges > 100 {
			c.add("alerts.flap_changes", "must be 0 (off) or between 2 and 100")
		}
		p.FlapChanges = int(*a.FlapChanges)
	}
	if a.FlapWindow.set {
		p.FlapWindow = a.FlapWindow.Duration
	}
	p.FlapCalm = p.FlapWindow
	if a.FlapCalm.set {
		p.FlapCalm = a.FlapCalm.Duration
	}
	return p
}

// MinReminder is the shortest reminder interval accepted. Reminders are
// sent on runs, so anything shorter would remind on every run of a check.
const MinReminder = time.Minute

// reminder validates a reminder interval; a refused one turns reminders off.
func reminder(c *collector, key string, d time.Duration) time.Duration {
	if d < MinReminder {
		c.add(key, "%s is too short: reminders repeat while an incident is open, so use at least %s "+
			"(e.g. \"4h\"), or remove the key to turn reminders off", d, MinReminder)
		return 0
	}
	return d
}

// threshold validates a run count; left out, it is def.
func threshold(c *collector, key string, v int64, def int) int {
	if v == 0 && !c.has(key) {
		return def
	}
	if v < 1 || v > 100 {
		c.add(key, "must be between 1 and 100 runs (leave it out for the default)")
		return def
	}
	return int(v)
}

// buildSilences returns, per check name, the silences that cover it. The
// silences of every check are one shared slice, not a copy per check: with
// n checks and m silences, copies took n×m memory (3 GB for a 620 KB file).
func buildSilences(c *collector, ss []silenceSection, list []checks.Check) map[string][]alert.Silence {
	if len(ss) > maxSilences {
		c.add("silence", "%d [[silence]] sections, more than %d: merge windows that share a schedule", len(ss), maxSilences)
		return nil
	}
	known := make(map[string]bool, len(list)) // a set: linear with many checks
	for _, ch := range list {
		known[ch.Name] = true
	}
	var all []alert.Silence
	named := map[string][]alert.Silence{}
	for i, s := range ss {
		key := "silence[" + itoa(i) + "]"
		for j, name := range s.Checks {
			if !known[name] {
				c.add(key+".checks["+itoa(j)+"]", "no check named %q", name)
			}
		}
		sil, ok := buildSilence(c, key, s)
		switch {
		case !ok:
		case len(s.Checks) == 0:
			all = append(all, sil)
		default:
			for _, name := range slices.Compact(slices.Sorted(slices.Values(s.Checks))) {
				named[name] = append(named[name], sil)
			}
		}
	}
	all = slices.Clip(all) // appending a check's own silences copies
	out := make(map[string][]alert.Silence, len(list))
	for _, ch := range list {
		if sil := append(all, named[ch.Name]...); sil != nil {
			out[ch.Name] = sil
		}
	}
	return out
}

// maxSilences bounds [[silence]] sections: each is checked on every run of
// every check it covers.
const maxSilences = 500

func buildSilence(c *collector, key string, s silenceSection) (alert.Silence, bool) {
	sil := alert.Silence{Start: s.Start.Time, End: s.End.Time, Duration: s.Duration.Duration, Reason: s.Reason}
	fixed, recurring := !s.Start.IsZero() || !s.End.IsZero(), s.Schedule != "" || s.Duration.set
	switch {
	case fixed && recurring:
		c.add(key, "use either start and end (a time range) or schedule and duration (recurring), not both")
	case fixed && (s.Start.IsZero() || s.End.IsZero()):
		c.add(key, "a time range needs both start and end")
	case fixed && !s.End.After(s.Start.Time):
		c.add(key+".end", "must be after start")
	case fixed:
		return sil, true
	case s.Schedule == "" || !s.Duration.set:
		c.add(key, "set start and end (a time range) or schedule and duration (recurring)")
	default:
		sched, err := parseSchedule(s.Schedule)
		if err != nil {
			c.add(key+".schedule", "invalid schedule %q: %v", s.Schedule, err)
			return sil, false
		}
		sil.Schedule = sched
		return sil, true
	}
	return sil, false
}

type routing struct {
	channels map[checks.Severity]string
	mention  string
	webhook  bool
}

func buildRouting(c *collector, s *slackSection) routing {
	if s == nil {
		return routing{}
	}
	r := routing{webhook: s.WebhookURL != "", mention: slackMention(c, s.Mention)}
	for name, ch := range s.Channels {
		sev := checks.ParseSeverity(name)
		if sev == checks.SevNone {
			c.add("slack.channels."+name, "unknown severity (want critical-security, high-security, availability, conformance or warning)")
			continue
		}
		if r.channels == nil {
			r.channels = map[checks.Severity]string{}
		}
		r.channels[sev] = ch
	}
	if r.webhook && len(s.Channels) > 0 {
		c.add("slack.channels", "an incoming webhook posts to one fixed channel: routing needs a bot token")
	}
	return r
}

// slackMention turns "@here" and friends into Slack's syntax; "<...>"
// (a user group: <!subteam^S123>) is taken as it is.
func slackMention(c *collector, m string) string {
	switch {
	case m == "":
		return ""
	case m == "@here" || m == "@channel" || m == "@everyone":
		return "<!" + strings.TrimPrefix(m, "@") + ">"
	case strings.HasPrefix(m, "<") && strings.HasSuffix(m, ">"):
		return m
	}
	c.add("slack.mention", "use @here, @channel, or a user group as <!subteam^ID>")
	return ""
}

// DefaultDeliveryTimeout bounds a delivery attempt when [alerts]
// delivery_timeout is not set.
const DefaultDeliveryTimeout = 15 * time.Second

func deliveryTimeout(c *collector, d duration) time.Duration {
	if !d.set {
		return DefaultDeliveryTimeout
	}
	if d.Duration < time.Second || d.Duration > 5*time.Minute {
		c.add("alerts.delivery_timeout", "must be between 1s and 5m")
		return DefaultDeliveryTimeout
	}
	return d.Duration
}
