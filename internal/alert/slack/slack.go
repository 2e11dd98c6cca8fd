// Package slack is the Slack adapter of the alert package: an alert.Notifier
// posting Block Kit messages (built by alert.SlackRoot and its siblings)
// through a bot token, threading and editing each incident's root message,
// or through an incoming webhook.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/redact"
)

// redacted replaces every secret in error and log text.
const redacted = redact.Placeholder

// Config says where Slack messages go. With Token set the bot API is
// used (chat.postMessage and chat.update, threading each incident), else the
// incoming WebhookURL. Token and WebhookURL are secrets: String and LogValue
// never show them.
type Config struct {
	WebhookURL string
	Token      string
	Channel    string // bot mode: default channel, overridden by alert.Event.Channel
	APIURL     string // bot API base URL; empty means Slack's own
	// Buttons adds Acknowledge and Snooze buttons to an open incident's
	// root message (bot mode): set when Slack's interactivity requests
	// reach the monitor (a signing secret is configured).
	Buttons bool
}

// String describes the configuration without its secrets.
func (c Config) String() string {
	if c.Token != "" {
		return fmt.Sprintf("slack bot (channel %s, token %s)", c.Channel, redacted)
	}
	return "slack webhook (" + redacted + ")"
}

// GoString keeps %#v from printing the secrets.
func (c Config) GoString() string { return c.String() }

// LogValue keeps slog from printing the secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Notifier is an alert.Notifier posting Block Kit messages through a bot
// token or an incoming webhook. Every error it returns is free of the token
// and the webhook URL.
//
// In bot mode a delivery whose earlier attempt was cut short (InFlight) is
// first looked up in Slack, so that a restart does not post it twice; see
// alreadyPosted for the scopes this needs. Webhook mode cannot look anything
// up and stays at-least-once: such a delivery may be posted twice.
type Notifier struct {
	// Log receives the failures of that lookup (the notification is posted
	// anyway); nil means slog.Default().
	Log *slog.Logger
	// Redact removes secrets from every message and error text; New
	// sets one knowing the token and webhook URL, a monitor the process's.
	Redact *redact.Redactor

	cfg    Config
	hc     *http.Client
	client *slackapi.Client // nil in webhook mode

	settle     time.Duration // see lookupSettle
	mu         sync.Mutex
	channelIDs map[string]string // channel name (no "#") -> ID, from conversations.list
}

var _ alert.Notifier = (*Notifier)(nil)

// New returns a Slack notifier. hc carries timeouts and transport; nil
// means http.DefaultClient.
func New(cfg Config, hc *http.Client) *Notifier {
	if hc == nil {
		hc = http.DefaultClient
	}
	s := &Notifier{cfg: cfg, hc: hc, Redact: redact.New(append(redact.URLSecrets(cfg.WebhookURL), cfg.Token)...),
		settle: lookupSettle, channelIDs: map[string]string{}}
	if cfg.Token != "" {
		opts := []slackapi.Option{slackapi.OptionHTTPClient(hc)}
		if cfg.APIURL != "" {
			opts = append(opts, slackapi.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
		}
		s.client = slackapi.New(cfg.Token, opts...)
	}
	return s
}

// Notify delivers d to Slack. In bot mode the first notification of an
// incident posts its root message and returns it; later ones update the root
// and reply in its thread. In webhook mode, which cannot edit, every
// notification is a new message naming its incident (and a delivery cut short
// by a crash may be posted twice). Errors are redacted and classified:
// alert.Permanent for errors retrying cannot fix, *alert.RetryAfterError
// when rate limited.
func (s *Notifier) Notify(ctx context.Context, d alert.Delivery) (alert.Thread, error) {
	d.Event = alert.RedactEvent(s.Redact, d.Event)
	switch {
	case s.client != nil:
		return s.notifyBot(ctx, d)
	case s.cfg.WebhookURL != "":
		return alert.Thread{}, s.postWebhook(ctx, alert.SlackStandalone(d))
	default:
		return alert.Thread{}, alert.Permanent(errors.New("slack: neither token nor webhook url configured"))
	}
}

// notifyBot delivers d through the Web API.
func (s *Notifier) notifyBot(ctx context.Context, d alert.Delivery) (alert.Thread, error) {
	channel := s.cfg.Channel
	if d.Event.Channel != "" {
		channel = d.Event.Channel
	}
	if channel == "" {
		return alert.Thread{}, alert.Permanent(errors.New("slack: bot token set but no channel"))
	}
	root := d.Thread
	if root.TS == "" || d.Event.Kind == alert.KindTest {
		return s.postUnthreaded(ctx, channel, d)
	}
	if root.Channel == "" {
		// Only the ts was stored: the root went to the incident's channel.
		root.Channel = channel
	}
	return alert.Thread{}, s.threaded(ctx, root, d)
}

// postUnthreaded posts d when there is no root to update: notifications of
// an open incident start its thread (and return its root), the rest stand
// alone. A message an interrupted attempt already posted is not posted again.
func (s *Notifier) postUnthreaded(ctx context.Context, channel string, d alert.Delivery) (alert.Thread, error) {
	m, isRoot := alert.SlackStandalone(d), false
	switch d.Event.Kind {
	case alert.KindOpened, alert.KindUpdated, alert.KindReminder:
		m, isRoot = s.rootMessage(d), true
	}
	th, found := s.alreadyPosted(ctx, channel, "", d)
	var err error
	if !found {
		th, err = s.post(ctx, channel, "", m)
	}
	if !isRoot {
		return alert.Thread{}, err
	}
	return th, err
}

// threaded updates the root, when the kind changes it, and then replies.
// The order matters for retries: chat.update is idempotent and replies are
// not, so a retry after a failed reply only repeats the harmless part, and
// after an interrupted attempt only the reply is looked up. An edit that
// can never succeed (a server without chat.update, a deleted root) is logged
// and does not hold back the reply: the reply is what notifies.
func (s *Notifier) threaded(ctx context.Context, root alert.Thread, d alert.Delivery) error {
	var err error
	switch d.Event.Kind {
	case alert.KindOpened: // the root exists already: a retried or replayed "opened"
		err = s.update(ctx, root, s.rootMessage(d))
		if alert.IsPermanent(err) {
			s.logger().Warn("slack could not edit the incident's root message", alert.DeliveryAttrs(d, err)...)
			return nil
		}
		return err
	case alert.KindUpdated:
		err = s.update(ctx, root, s.rootMessage(d))
	case alert.KindResolved:
		err = s.update(ctx, root, alert.SlackResolvedRoot(d))
	case alert.KindAcked:
		err = s.update(ctx, root, s.rootMessage(d))
	}
	if alert.IsPermanent(err) {
		s.logger().Warn("slack could not edit the incident's root message; replying in its thread anyway",
			alert.DeliveryAttrs(d, err)...)
	} else if err != nil {
		return err
	}
	return s.reply(ctx, root, d)
}

// reply posts d in the root's thread. When the thread itself is gone, d is
// posted as a new message naming its incident, so that it is not lost.
func (s *Notifier) reply(ctx context.Context, root alert.Thread, d alert.Delivery) error {
	if _, found := s.alreadyPosted(ctx, root.Channel, root.TS, d); found {
		return nil
	}
	_, err := s.post(ctx, root.Channel, root.TS, alert.SlackReply(d))
	if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); !ok || !goneThreadCodes[se.Err] {
		return err
	}
	s.logger().Warn("slack thread of the incident is gone; posting a new message instead", alert.DeliveryAttrs(d, err)...)
	if _, found := s.alreadyPosted(ctx, root.Channel, "", d); found {
		return nil
	}
	_, err = s.post(ctx, root.Channel, "", alert.SlackStandalone(d))
	return err
}

// goneThreadCodes are chat.postMessage errors meaning the thread to reply
// in no longer exists.
var goneThreadCodes = map[string]bool{"thread_not_found": true, "message_not_found": true}

// post sends m with chat.postMessage, in the thread threadTS if set, and
// returns where it landed: the channel ID from Slack's answer, which
// chat.update needs (a channel name will not do).
func (s *Notifier) post(ctx context.Context, channel, threadTS string, m alert.SlackMessage) (alert.Thread, error) {
	opts := []slackapi.MsgOption{slackapi.MsgOptionBlocks(m.Blocks...), slackapi.MsgOptionText(m.Text, false),
		slackapi.MsgOptionDisableLinkUnfurl(), slackapi.MsgOptionDisableMediaUnfurl()}
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	ch, ts, err := s.client.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return alert.Thread{}, s.classify("slack post", err)
	}
	if ch == "" {
		ch = channel
	}
	return alert.Thread{Channel: ch, TS: ts}, nil
}

// update rewrites the root message with chat.update. An edit that no retry
// will fix (the root deleted or too old to edit, a Slack-compatible server
// without the method) is returned as alert.Permanent, for threaded to log.
func (s *Notifier) update(ctx context.Context, root alert.Thread, m alert.SlackMessage) error {
	_, _, _, err := s.client.UpdateMessageContext(ctx, root.Channel, root.TS,
		slackapi.MsgOptionBlocks(m.Blocks...), slackapi.MsgOptionText(m.Text, false))
	if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok && staleRootCodes[se.Err] {
		return alert.Permanent(s.classify("slack update", err))
	}
	return s.classify("slack update", err)
}

// staleRootCodes are chat.update errors meaning the root cannot be edited,
// or not by this server.
var staleRootCodes = map[string]bool{
	"message_not_found": true, "cant_update_message": true, "edit_window_closed": true,
	"unknown_method": true, "method_not_supported": true, "not_implemented": true,
}

// postWebhook posts m to the incoming webhook.
func (s *Notifier) postWebhook(ctx context.Context, m alert.SlackMessage) error {
	no := false
	msg := &slackapi.WebhookMessage{Text: m.Text, Blocks: &slackapi.Blocks{BlockSet: m.Blocks},
		UnfurlLinks: &no, UnfurlMedia: &no}
	return s.classify("slack webhook", slackapi.PostWebhookCustomHTTPContext(ctx, s.cfg.WebhookURL, s.hc, msg))
}

// Slack action ids of the root message's buttons.
const (
	ActionAck    = "authmon_ack"    // value: the incident id
	ActionSnooze = "authmon_snooze" // value: the check name; snoozes for SnoozeButton
)

// SnoozeButton is how long the Snooze button silences a check.
const SnoozeButton = time.Hour

// rootMessage is the incident's root while it is open, with the buttons
// while nobody has acknowledged it.
func (s *Notifier) rootMessage(d alert.Delivery) alert.SlackMessage {
	m := alert.SlackRoot(d)
	if !s.cfg.Buttons || d.Event.IncidentID == 0 || d.Event.AckedBy != "" {
		return m
	}
	ack := slackapi.NewButtonBlockElement(ActionAck, fmt.Sprint(d.Event.IncidentID), slackapi.NewTextBlockObject(slackapi.PlainTextType, "Acknowledge", false, false))
	ack.Style = slackapi.StylePrimary
	snooze := slackapi.NewButtonBlockElement(ActionSnooze, d.Event.Check, slackapi.NewTextBlockObject(slackapi.PlainTextType, "Snooze 1h", false, false))
	m.Blocks = append(m.Blocks, slackapi.NewActionBlock("authmon-actions", ack, snooze))
	return m
}
