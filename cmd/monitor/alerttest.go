package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/redact"
)

// alertCmd handles `monitor alert test`: it sends a test message to every
// channel the config routes to, so a user can check the Slack setup before
// an incident does.
func alertCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(stderr, "usage: monitor alert test [-config FILE]")
		return exitConfig
	}
	fs := newFlagSet("alert test", stderr)
	path := configFlag(fs)
	if fs.Parse(args[1:]) != nil {
		return exitConfig
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return exitConfig
	}
	if cfg.Slack == nil {
		fmt.Fprintf(stderr, "%s has no [slack] section: alerts are only logged and shown on the dashboard\n", *path)
		return exitConfig
	}
	n := alert.NewSlack(*cfg.Slack, &http.Client{Timeout: 20 * time.Second})
	red := redact.New(cfg.Secrets...)
	n.Log, n.Redact = newLogger(stderr, red), red
	failed := 0
	for _, ch := range routedChannels(cfg) {
		where := ch
		if where == "" {
			where = "the default channel"
		}
		ev := alert.Event{Kind: alert.KindTest, Check: "authmon", At: time.Now().UTC(), Channel: ch}
		if _, err := n.Notify(ctx, alert.Delivery{Event: ev}); err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", where, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "ok   %s: Slack accepted the test message\n", where)
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
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
