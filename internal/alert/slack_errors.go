package alert

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/slack-go/slack"
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
func (s *Slack) classify(prefix string, err error) error {
	if err == nil {
		return nil
	}
	clean := &redactedError{msg: prefix + ": " + s.Redact.String(err.Error()), cause: safeCause(err)}
	if cutShort(err) {
		// The redacted error drops the transport error (it holds the URL):
		// keep what the sender needs to know about it.
		return unsure(clean)
	}
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
