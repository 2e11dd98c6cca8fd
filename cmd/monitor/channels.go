package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/alert/email"
	"github.com/authmon/monitor/internal/alert/opsgenie"
	"github.com/authmon/monitor/internal/alert/pagerduty"
	"github.com/authmon/monitor/internal/alert/slack"
	"github.com/authmon/monitor/internal/alert/teams"
	"github.com/authmon/monitor/internal/alert/webhook"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/redact"
)

// channelTimeout bounds one HTTP exchange with a channel's receiver.
const channelTimeout = 20 * time.Second

// buildChannels builds the notifier the sender drains the outbox into: the
// default channel ([slack], else the log) and every [channels.NAME], each
// redacting with the process's redactor red.
func buildChannels(cfg *config.Config, red *redact.Redactor, log *slog.Logger) (*alert.Channels, error) {
	var def alert.Notifier = alert.LogNotifier{Log: log}
	if cfg.Slack != nil {
		def = slackChannel(*cfg.Slack, red, log)
	}
	named := map[string]alert.Notifier{}
	for _, ch := range cfg.Channels {
		n, err := buildChannel(ch, red, log)
		if err != nil {
			return alert.NewChannels(named, def, log), err
		}
		named[ch.Name] = n
	}
	return alert.NewChannels(named, def, log), nil
}

// buildChannel builds one named channel's adapter.
func buildChannel(ch config.Channel, red *redact.Redactor, log *slog.Logger) (alert.Notifier, error) {
	hc := &http.Client{Timeout: channelTimeout}
	switch {
	case ch.Slack != nil:
		return slackChannel(*ch.Slack, red, log), nil
	case ch.Webhook != nil:
		return webhook.New(ch.Name, *ch.Webhook, hc, red, time.Now)
	case ch.PagerDuty != nil:
		return pagerduty.New(ch.Name, *ch.PagerDuty, hc, red), nil
	case ch.Opsgenie != nil:
		return opsgenie.New(ch.Name, *ch.Opsgenie, hc, red), nil
	case ch.Email != nil:
		return email.New(ch.Name, *ch.Email, red, time.Now), nil
	case ch.Teams != nil:
		return teams.New(ch.Name, *ch.Teams, hc, red), nil
	}
	return alert.LogNotifier{Log: log}, nil
}

func slackChannel(cfg slack.Config, red *redact.Redactor, log *slog.Logger) *slack.Notifier {
	sl := slack.New(cfg, &http.Client{Timeout: channelTimeout})
	sl.Log, sl.Redact = log, red
	return sl
}
