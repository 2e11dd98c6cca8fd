package alert

import (
	"errors"
	"fmt"
	"time"
)

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
