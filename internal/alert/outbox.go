package alert

import (
	"context"
	"errors"
	"time"
)

// ErrNothingDue is returned by Outbox.NextDue when no notification is due.
var ErrNothingDue = errors.New("no notification due")

// Delivery is one pending notification taken from the outbox.
type Delivery struct {
	ID       int64 // outbox row; messages carry it so duplicates can be told apart
	Attempts int   // failed attempts so far
	Event    Event
	// Thread is the incident's root message, once one was posted (bot mode):
	// later notifications of the incident update it and reply in its thread.
	Thread Thread
	// InFlight is set when an earlier attempt started and never finished
	// (the process died mid-send): Slack may already have the message, so
	// the notifier looks for it before sending it again.
	InFlight bool
	// Channel is the named channel this row is bound for (one row per
	// channel an event goes to); DefaultChannel for the default one.
	Channel string
}

// Thread locates a Slack message: the channel ID and its timestamp.
type Thread struct {
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
}

// Outbox is the durable queue the sender drains. Events are written to it in
// the same transaction as the incident change that caused them.
type Outbox interface {
	// NextDue returns the oldest pending notification whose retry time has
	// come, skipping checks that still have an older notification waiting, so
	// that delivery is in order per check (and so per incident).
	NextDue(ctx context.Context, now time.Time) (Delivery, error)
	// MarkInFlight records that an attempt starts now; MarkSent, MarkRetry
	// and MarkFailed end it.
	MarkInFlight(ctx context.Context, id int64, at time.Time) error
	// MarkSent records that the receiver accepted the notification; root, if
	// set, is the message later notifications of the incident thread under.
	MarkSent(ctx context.Context, id int64, at time.Time, root Thread) error
	// MarkRetry records a failed attempt and when to try again.
	MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error
	// MarkRetryUnsure is MarkRetry for an attempt the receiver may have
	// taken (it timed out after the request left): the delivery stays in
	// flight, so the next attempt looks for the message first, as after a
	// crash.
	MarkRetryUnsure(ctx context.Context, id int64, next time.Time, errText string) error
	// MarkFailed gives up on a notification after a permanent error.
	MarkFailed(ctx context.Context, id int64, errText string) error
}

// Notifier delivers one notification. It returns the root message a new
// incident thread starts from (bot mode), or a zero Thread. Errors wrapped
// with Permanent are not retried; a *RetryAfterError asks the sender to wait
// at least that long.
type Notifier interface {
	Notify(ctx context.Context, d Delivery) (Thread, error)
}
