package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/redact"
)

// redacted replaces every secret in error and log text.
const redacted = redact.Placeholder

// SlackConfig says where Slack messages go. With Token set the bot API is
// used (chat.postMessage and chat.update, threading each incident), else the
// incoming WebhookURL. Token and WebhookURL are secrets: String and LogValue
// never show them.
type SlackConfig struct {
	WebhookURL string
	Token      string
	Channel    string // bot mode: default channel, overridden by Event.Channel
	APIURL     string // bot API base URL; empty means Slack's own
	// Buttons adds Acknowledge and Snooze buttons to an open incident's
	// root message (bot mode): set when Slack's interactivity requests
	// reach the monitor (a signing secret is configured).
	Buttons bool
}

// String describes the configuration without its secrets.
func (c SlackConfig) String() string {
	if c.Token != "" {
		return fmt.Sprintf("slack bot (channel %s, token %s)", c.Channel, redacted)
	}
	return "slack webhook (" + redacted + ")"
}

// GoString keeps %#v from printing the secrets.
func (c SlackConfig) GoString() string { return c.String() }

// LogValue keeps slog from printing the secrets.
func (c SlackConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Slack is a Notifier posting Block Kit messages through a bot token or an
// incoming webhook. Every error it returns is free of the token and the
// webhook URL.
//
// In bot mode a delivery whose earlier attempt was cut short (InFlight) is
// first looked up in Slack, so that a restart does not post it twice; see
// alreadyPosted for the scopes this needs. Webhook mode cannot look anything
// up and stays at-least-once: such a delivery may be posted twice.
type Slack struct {
	// Log receives the failures of that lookup (the notification is posted
	// anyway); nil means slog.Default().
	Log *slog.Logger
	// Redact removes secrets from every message and error text; NewSlack
	// sets one knowing the token and webhook URL, a monitor the process's.
	Redact *redact.Redactor

	cfg    SlackConfig
	hc     *http.Client
	client *slack.Client // nil in webhook mode

	settle     time.Duration // see lookupSettle
	mu         sync.Mutex
	channelIDs map[string]string // channel name (no "#") -> ID, from conversations.list
}

// NewSlack returns a Slack notifier. hc carries timeouts and transport; nil
// means http.DefaultClient.
func NewSlack(cfg SlackConfig, hc *http.Client) *Slack {
	if hc == nil {
		hc = http.DefaultClient
	}
	s := &Slack{cfg: cfg, hc: hc, Redact: redact.New(append(redact.URLSecrets(cfg.WebhookURL), cfg.Token)...),
		settle: lookupSettle, channelIDs: map[string]string{}}
	if cfg.Token != "" {
		opts := []slack.Option{slack.OptionHTTPClient(hc)}
		if cfg.APIURL != "" {
			opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
		}
		s.client = slack.New(cfg.Token, opts...)
	}
	return s
}

// Notify delivers d to Slack. In bot mode the first notification of an
// incident posts its root message and returns it; later ones update the root
// and reply in its thread. In webhook mode, which cannot edit, every
// notification is a new message naming its incident (and a delivery cut short
// by a crash may be posted twice). Errors are redacted and classified:
// Permanent for errors retrying cannot fix, *RetryAfterError when rate
// limited.
func (s *Slack) Notify(ctx context.Context, d Delivery) (Thread, error) {
	d.Event = redactEvent(s.Redact, d.Event)
	switch {
	case s.client != nil:
		return s.notifyBot(ctx, d)
	case s.cfg.WebhookURL != "":
		return Thread{}, s.postWebhook(ctx, standaloneMessage(d))
	default:
		return Thread{}, Permanent(errors.New("slack: neither token nor webhook url configured"))
	}
}

// notifyBot delivers d through the Web API.
func (s *Slack) notifyBot(ctx context.Context, d Delivery) (Thread, error) {
	channel := s.cfg.Channel
	if d.Event.Channel != "" {
		channel = d.Event.Channel
	}
	if channel == "" {
		return Thread{}, Permanent(errors.New("slack: bot token set but no channel"))
	}
	root := d.Thread
	if root.TS == "" || d.Event.Kind == KindTest {
		return s.postUnthreaded(ctx, channel, d)
	}
	if root.Channel == "" {
		// Only the ts was stored: the root went to the incident's channel.
		root.Channel = channel
	}
	return Thread{}, s.threaded(ctx, root, d)
}

// postUnthreaded posts d when there is no root to update: notifications of
// an open incident start its thread (and return its root), the rest stand
// alone. A message an interrupted attempt already posted is not posted again.
func (s *Slack) postUnthreaded(ctx context.Context, channel string, d Delivery) (Thread, error) {
	m, isRoot := standaloneMessage(d), false
	switch d.Event.Kind {
	case KindOpened, KindUpdated, KindReminder:
		m, isRoot = s.rootMessage(d), true
	}
	th, found := s.alreadyPosted(ctx, channel, "", d)
	var err error
	if !found {
		th, err = s.post(ctx, channel, "", m)
	}
	if !isRoot {
		return Thread{}, err
	}
	return th, err
}

// threaded updates the root, when the kind changes it, and then replies.
// The order matters for retries: chat.update is idempotent and replies are
// not, so a retry after a failed reply only repeats the harmless part, and
// after an interrupted attempt only the reply is looked up. An edit that
// can never succeed (a server without chat.update, a deleted root) is logged
// and does not hold back the reply: the reply is what notifies.
func (s *Slack) threaded(ctx context.Context, root Thread, d Delivery) error {
	var err error
	switch d.Event.Kind {
	case KindOpened: // the root exists already: a retried or replayed "opened"
		err = s.update(ctx, root, s.rootMessage(d))
		if IsPermanent(err) {
			s.logger().Warn("slack could not edit the incident's root message", deliveryAttrs(d, err)...)
			return nil
		}
		return err
	case KindUpdated:
		err = s.update(ctx, root, s.rootMessage(d))
	case KindResolved:
		err = s.update(ctx, root, resolvedRootMessage(d))
	case KindAcked:
		err = s.update(ctx, root, s.rootMessage(d))
	}
	if IsPermanent(err) {
		s.logger().Warn("slack could not edit the incident's root message; replying in its thread anyway",
			deliveryAttrs(d, err)...)
	} else if err != nil {
		return err
	}
	return s.reply(ctx, root, d)
}

// reply posts d in the root's thread. When the thread itself is gone, d is
// posted as a new message naming its incident, so that it is not lost.
func (s *Slack) reply(ctx context.Context, root Thread, d Delivery) error {
	if _, found := s.alreadyPosted(ctx, root.Channel, root.TS, d); found {
		return nil
	}
	_, err := s.post(ctx, root.Channel, root.TS, replyMessage(d))
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); !ok || !goneThreadCodes[se.Err] {
		return err
	}
	s.logger().Warn("slack thread of the incident is gone; posting a new message instead", deliveryAttrs(d, err)...)
	if _, found := s.alreadyPosted(ctx, root.Channel, "", d); found {
		return nil
	}
	_, err = s.post(ctx, root.Channel, "", standaloneMessage(d))
	return err
}

// goneThreadCodes are chat.postMessage errors meaning the thread to reply
// in no longer exists.
var goneThreadCodes = map[string]bool{"thread_not_found": true, "message_not_found": true}

// post sends m with chat.postMessage, in the thread threadTS if set, and
// returns where it landed: the channel ID from Slack's answer, which
// chat.update needs (a channel name will not do).
func (s *Slack) post(ctx context.Context, channel, threadTS string, m slackMessage) (Thread, error) {
	opts := []slack.MsgOption{slack.MsgOptionBlocks(m.blocks...), slack.MsgOptionText(m.text, false),
		slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl()}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	ch, ts, err := s.client.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return Thread{}, s.classify("slack post", err)
	}
	if ch == "" {
		ch = channel
	}
	return Thread{Channel: ch, TS: ts}, nil
}

// update rewrites the root message with chat.update. An edit that no retry
// will fix (the root deleted or too old to edit, a Slack-compatible server
// without the method) is returned as Permanent, for threaded to log.
func (s *Slack) update(ctx context.Context, root Thread, m slackMessage) error {
	_, _, _, err := s.client.UpdateMessageContext(ctx, root.Channel, root.TS,
		slack.MsgOptionBlocks(m.blocks...), slack.MsgOptionText(m.text, false))
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && staleRootCodes[se.Err] {
		return Permanent(s.classify("slack update", err))
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
func (s *Slack) postWebhook(ctx context.Context, m slackMessage) error {
	no := false
	msg := &slack.WebhookMessage{Text: m.text, Blocks: &slack.Blocks{BlockSet: m.blocks},
		UnfurlLinks: &no, UnfurlMedia: &no}
	return s.classify("slack webhook", slack.PostWebhookCustomHTTPContext(ctx, s.cfg.WebhookURL, s.hc, msg))
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
func (s *Slack) rootMessage(d Delivery) slackMessage {
	m := rootMessage(d)
	if !s.cfg.Buttons || d.Event.IncidentID == 0 || d.Event.AckedBy != "" {
		return m
	}
	ack := slack.NewButtonBlockElement(ActionAck, fmt.Sprint(d.Event.IncidentID), slack.NewTextBlockObject(slack.PlainTextType, "Acknowledge", false, false))
	ack.Style = slack.StylePrimary
	snooze := slack.NewButtonBlockElement(ActionSnooze, d.Event.Check, slack.NewTextBlockObject(slack.PlainTextType, "Snooze 1h", false, false))
	m.blocks = append(m.blocks, slack.NewActionBlock("authmon-actions", ack, snooze))
	return m
}
