package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// redacted replaces every secret in error and log text.
const redacted = "[REDACTED]"

// SlackConfig says where Slack messages go. With Token set the bot API
// (chat.postMessage to Channel) is used, else the incoming WebhookURL. Token
// and WebhookURL are secrets: String and LogValue never show them.
type SlackConfig struct {
	WebhookURL string
	Token      string
	Channel    string
	APIURL     string // bot API base URL; empty means Slack's own
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
type Slack struct {
	cfg    SlackConfig
	hc     *http.Client
	client *slack.Client // nil in webhook mode
	red    redactor
}

// NewSlack returns a Slack notifier. hc carries timeouts and transport; nil
// means http.DefaultClient.
func NewSlack(cfg SlackConfig, hc *http.Client) *Slack {
	if hc == nil {
		hc = http.DefaultClient
	}
	s := &Slack{cfg: cfg, hc: hc, red: newRedactor(cfg.Token, cfg.WebhookURL)}
	if cfg.Token != "" {
		opts := []slack.Option{slack.OptionHTTPClient(hc)}
		if cfg.APIURL != "" {
			opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
		}
		s.client = slack.New(cfg.Token, opts...)
	}
	return s
}

// Notify posts ev to Slack. Errors are redacted and classified: Permanent
// for errors retrying cannot fix, *RetryAfterError when rate limited.
func (s *Slack) Notify(ctx context.Context, ev Event) error {
	blocks := RenderBlocks(ev)
	// The fallback text is mrkdwn too: escape what came from targets.
	text := esc(RenderText(ev))
	switch {
	case s.client != nil && s.cfg.Channel == "":
		return Permanent(errors.New("slack: bot token set but no channel"))
	case s.client != nil:
		_, _, err := s.client.PostMessageContext(ctx, s.cfg.Channel,
			slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false),
			slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
		return s.classify("slack post", err)
	case s.cfg.WebhookURL != "":
		no := false
		msg := &slack.WebhookMessage{Text: text, Blocks: &slack.Blocks{BlockSet: blocks},
			UnfurlLinks: &no, UnfurlMedia: &no}
		err := slack.PostWebhookCustomHTTPContext(ctx, s.cfg.WebhookURL, s.hc, msg)
		return s.classify("slack webhook", err)
	default:
		return Permanent(errors.New("slack: neither token nor webhook url configured"))
	}
}

// permanentCodes are Slack error codes that no retry will fix.
var permanentCodes = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true,
	"channel_is_archived": true, "invalid_auth": true, "not_authed": true,
	"account_inactive": true, "token_revoked": true, "token_expired": true,
	"no_permission": true, "missing_scope": true, "invalid_blocks": true,
	"invalid_blocks_format": true, "msg_too_long": true, "no_text": true,
	"no_service": true, "invalid_token": true, "action_prohibited": true,
	"invalid_payload": true, "restricted_action": true, "team_access_not_granted": true,
}

// permanentStatus are HTTP statuses (mostly from webhooks, whose body slack-go
// drops) that no retry will fix: 404 no_service, 403 invalid_token, 410
// channel_is_archived, 400 invalid_payload, 401.
var permanentStatus = []int{http.StatusBadRequest, http.StatusUnauthorized,
	http.StatusForbidden, http.StatusNotFound, http.StatusGone}

// classify redacts err and marks it permanent or rate limited.
func (s *Slack) classify(prefix string, err error) error {
	if err == nil {
		return nil
	}
	clean := &redactedError{msg: prefix + ": " + s.red.redact(err.Error()), cause: safeCause(err)}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return &RetryAfterError{Wait: rl.RetryAfter, Err: clean}
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && permanentCodes[se.Err] {
		return Permanent(clean)
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok && slices.Contains(permanentStatus, sc.Code) {
		return Permanent(clean)
	}
	return clean
}

// safeCause returns the slack-go error inside err when its type carries no
// URL or token, so that callers can still inspect it; nil otherwise.
func safeCause(err error) error {
	if e, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return e
	}
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return e
	}
	if e, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return e
	}
	return nil
}

// redactedError is an error whose text has been redacted. It wraps only a
// cause known to hold no secret, never the original chain (a *url.Error
// holds the webhook URL).
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// RetryAfterError asks the sender to wait at least Wait before retrying.
type RetryAfterError struct {
	Wait time.Duration
	Err  error
}

// Error describes the wait and the cause.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.Wait, e.Err)
}

// Unwrap returns the cause.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying will not fix. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	_, ok := errors.AsType[*permanentError](err)
	return ok
}

// redactor replaces secrets, longest first, in text.
type redactor []string

// newRedactor redacts each non-empty secret and, for URLs, the forms an
// error may print them in (re-encoded, path only, query only).
func newRedactor(secrets ...string) redactor {
	var r redactor
	for _, s := range secrets {
		if s == "" {
			continue
		}
		r = append(r, s)
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			r = append(r, u.String(), u.Redacted())
			for _, part := range []string{u.Path, u.EscapedPath(), u.RawQuery} {
				if len(part) >= 6 { // skip "/" and the like: they are not secret
					r = append(r, part)
				}
			}
		}
	}
	// Longest first, so a URL is replaced before its own path; equal strings
	// end up adjacent for Compact.
	slices.SortFunc(r, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(r)
}

func (r redactor) redact(text string) string {
	for _, s := range r {
		text = strings.ReplaceAll(text, s, redacted)
	}
	return text
}
