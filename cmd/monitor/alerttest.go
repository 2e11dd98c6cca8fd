package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/alert/slack"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/redact"
)

// alertCmd handles `monitor alert test`: it sends a test message to every
// channel the config routes to, so a user can check the Slack setup before
// an incident does.
func alertCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "usage: monitor alert test [-config FILE]")
		return exitOK
	}
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(stderr, "usage: monitor alert test [-config FILE]")
		return exitConfig
	}
	fs := newFlagSet("alert test", stderr)
	path := configFlag(fs)
	logs := logFlags(fs)
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return exitConfig
	}
	if cfg.Slack == nil && len(cfg.Channels) == 0 {
		fmt.Fprintf(stderr, "%s has no [slack] section and no [channels.NAME]: alerts are only logged and shown on the dashboard\n", *path)
		return exitConfig
	}
	red := redact.New(cfg.Secrets...)
	log, err := logs.logger(stderr, red)
	if err != nil {
		fmt.Fprintln(stderr, "monitor alert test:", err)
		return exitConfig
	}
	failed := 0
	if cfg.Slack != nil {
		failed += testSlack(ctx, cfg, slackChannel(*cfg.Slack, red, log), stdout)
	}
	for _, ch := range cfg.Channels {
		failed += testChannel(ctx, ch, red, log, stdout)
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// testSlack sends a test message to every Slack channel the [slack]
// section routes to, and returns how many failed.
func testSlack(ctx context.Context, cfg *config.Config, n *slack.Notifier, stdout io.Writer) int {
	failed := 0
	for _, ch := range routedChannels(cfg) {
		where := ch
		if where == "" {
			where = "the default channel"
		}
		ev := alert.Event{Kind: alert.KindTest, Check: "authmon", At: time.Now().UTC(), Channel: ch}
		if _, err := n.Notify(ctx, alert.Delivery{Event: ev}); err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %s\n", where, explainSlackError(*cfg.Slack, err))
			failed++
			continue
		}
		fmt.Fprintf(stdout, "ok   %s: Slack accepted the test message\n", where)
	}
	return failed
}

// testChannel sends a test notification to one named channel and returns
// 1 if it failed.
func testChannel(ctx context.Context, ch config.Channel, red *redact.Redactor, log *slog.Logger, stdout io.Writer) int {
	where := fmt.Sprintf("channel %s (%s)", ch.Name, ch.Type)
	n, err := buildChannel(ch, red, log)
	if err == nil {
		ev := alert.Event{Kind: alert.KindTest, Check: "authmon", At: time.Now().UTC(), Channels: []string{ch.Name}}
		_, err = n.Notify(ctx, alert.Delivery{Event: ev, Channel: ch.Name})
	}
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s: %s\n", where, red.String(err.Error()))
		return 1
	}
	fmt.Fprintf(stdout, "ok   %s: the receiver accepted the test message\n", where)
	return 0
}

// explainSlackError says what a failed test message means when Slack's
// answer alone ("404 Not Found") does not: a 404 from the Web API is an
// api_url that is not its base; one from a webhook, a deleted webhook. The
// webhook URL is a secret and is never shown.
func explainSlackError(cfg slack.Config, err error) string {
	sc, ok := errors.AsType[slackapi.StatusCodeError](err)
	switch {
	case !ok:
		return err.Error()
	case cfg.Token != "" && sc.Code == http.StatusNotFound:
		base := slackapi.APIURL
		if cfg.APIURL != "" {
			base = strings.TrimSuffix(cfg.APIURL, "/") + "/"
		}
		return fmt.Sprintf("404 from %schat.postMessage: is api_url the Slack Web API base, such as %s?", base, slackapi.APIURL)
	case cfg.WebhookURL != "" && (sc.Code == http.StatusNotFound || sc.Code == http.StatusForbidden || sc.Code == http.StatusGone):
		return fmt.Sprintf("%d from the incoming webhook: it was deleted, disabled or mistyped; create one in Slack and set webhook_url", sc.Code)
	}
	return err.Error()
}

// routedChannels lists the default channel ("") and every channel a check
// or a severity routes to, once each.
func routedChannels(cfg *config.Config) []string {
	out := []string{""}
	add := func(ch string) {
		if ch != "" && ch != cfg.Slack.Channel && !slices.Contains(out, ch) {
			out = append(out, ch)
		}
	}
	for _, p := range cfg.Policies {
		add(p.Channel)
		for _, ch := range p.SeverityChannels {
			add(ch)
		}
	}
	slices.Sort(out[1:])
	return out
}
