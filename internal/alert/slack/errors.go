package slack

import (
	"errors"
	"net/http"
	"slices"

	slackapi "github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/alert"
)

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
func (s *Notifier) classify(prefix string, err error) error {
	if err == nil {
		return nil
	}
	clean := &redactedError{msg: prefix + ": " + s.Redact.String(err.Error()), cause: safeCause(err)}
	if alert.CutShort(err) {
		// The redacted error drops the transport error (it holds the URL):
		// keep what the sender needs to know about it.
		return alert.Unsure(clean)
	}
	if rl, ok := errors.AsType[*slackapi.RateLimitedError](err); ok {
		return &alert.RetryAfterError{Wait: rl.RetryAfter, Err: clean}
	}
	if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok && permanentCodes[se.Err] {
		return alert.Permanent(clean)
	}
	if sc, ok := errors.AsType[slackapi.StatusCodeError](err); ok && slices.Contains(permanentStatus, sc.Code) {
		return alert.Permanent(clean)
	}
	return clean
}

// safeCause returns the slack-go error inside err when its type carries no
// URL or token, so that callers can still inspect it; nil otherwise.
func safeCause(err error) error {
	if e, ok := errors.AsType[*slackapi.RateLimitedError](err); ok {
		return e
	}
	if e, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok {
		return e
	}
	if e, ok := errors.AsType[slackapi.StatusCodeError](err); ok {
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
