package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

const (
	backoffBase = time.Second
	backoffMax  = 5 * time.Minute
	// markTimeout bounds an outbox write made after the caller's context
	// ended, so that a delivered message is still recorded as sent.
	markTimeout = 5 * time.Second
)

// Sender drains the outbox into a Notifier: one delivery at a time, oldest
// first, retrying failures with exponential backoff.
type Sender struct {
	// PollInterval is how long Run waits when nothing is due or the outbox
	// failed, unless woken earlier. Default 1s.
	PollInterval time.Duration
	// AttemptTimeout bounds one Notify call. Default 15s.
	AttemptTimeout time.Duration
	// OnOutcome, when set, is told how each delivery attempt ended, as
	// recorded: "sent", "retry" or "failed", or "folded" for an incident
	// that was only logged (for metrics).
	OnOutcome func(outcome string)

	ob   Outbox
	n    Notifier
	log  *slog.Logger
	now  func() time.Time
	wake chan struct{}
	sent atomic.Int64 // deliveries marked sent
	// limited is when the receiver's latest Retry-After ends (unix ms): a
	// probe never goes before it.
	limited atomic.Int64
}

// NewSender returns a Sender. log nil means slog.Default(); now nil means
// time.Now.
func NewSender(ob Outbox, n Notifier, log *slog.Logger, now func() time.Time) *Sender {
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{PollInterval: time.Second, AttemptTimeout: 15 * time.Second,
		ob: ob, n: n, log: log, now: now, wake: make(chan struct{}, 1)}
}

// Wake tells Run that a notification was queued. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers notifications until ctx is done. Outbox errors are logged and
// retried after PollInterval.
func (s *Sender) Run(ctx context.Context) {
	woke, failing := false, false
	for ctx.Err() == nil {
		did, err := s.step(ctx, s.now())
		if err == nil && !did && woke {
			did, err = s.probe(ctx)
		}
		// Once per outage, not once per poll: a database down for an hour
		// would otherwise log 3,600 errors.
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			s.log.Error("alert outbox failed; retrying every poll until it works", slog.String("err", err.Error()))
			failing = true
		case err == nil && failing:
			s.log.Info("alert outbox works again")
			failing = false
		}
		woke = false
		if err != nil || !did {
			woke = s.wait(ctx)
		}
	}
}

// probe tries the oldest waiting notification now, backoff or not, when a
// new one was queued and could not go (it waits behind its check's older
// ones): if the receiver is back, that delivery succeeds and the outbox
// makes the rest of its channel due, instead of the new alert sitting out
// old retries' backoff. A receiver that asked to wait (429) is not probed.
func (s *Sender) probe(ctx context.Context) (bool, error) {
	if s.now().UnixMilli() < s.limited.Load() {
		return false, nil
	}
	return s.step(ctx, time.UnixMilli(math.MaxInt64/2))
}

// Drain delivers every notification due now and returns. A delivery that
// fails is scheduled for later, and retried within the same Drain only if a
// later delivery succeeded (which makes its channel's waiting ones due).
func (s *Sender) Drain(ctx context.Context) error {
	start := s.now()
	seen := make(map[int64]int64) // delivery -> s.sent when it was tried
	for ctx.Err() == nil {
		d, err := s.ob.NextDue(ctx, start)
		if errors.Is(err, ErrNothingDue) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("drain: %w", err)
		}
		if last, ok := seen[d.ID]; ok && last == s.sent.Load() {
			return fmt.Errorf("drain: outbox returned delivery %d twice", d.ID)
		}
		seen[d.ID] = s.sent.Load()
		if err := s.deliver(ctx, d); err != nil {
			return fmt.Errorf("drain: %w", err)
		}
	}
	return ctx.Err()
}

// step delivers the next due notification, if any, and reports whether
// there was one.
func (s *Sender) step(ctx context.Context, now time.Time) (bool, error) {
	d, err := s.ob.NextDue(ctx, now)
	if errors.Is(err, ErrNothingDue) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("next due: %w", err)
	}
	return true, s.deliver(ctx, d)
}

// deliver makes one attempt at d and records the outcome. The attempt is
// marked in flight first, so that if the process dies before the outcome is
// recorded, the next attempt knows Slack may already have the message; no
// attempt starts unmarked. It returns only outbox errors; the notifier's
// errors are recorded on the delivery.
func (s *Sender) deliver(ctx context.Context, d Delivery) error {
	if d.Event.Kind == KindFolded {
		// Never sent (it was held back by flapping or a silence), but never
		// swallowed either: the log says what happened.
		s.log.Warn("alert folded, not sent", slog.String("check", d.Event.Check),
			slog.Int64("incident", d.Event.IncidentID), slog.String("reason", d.Event.Reason),
			slog.Int64("delivery", d.ID), slog.String("alert", RenderText(d.Event)))
		if err := s.ob.MarkSent(ctx, d.ID, s.now(), Thread{}); err != nil {
			return fmt.Errorf("mark folded %d: %w", d.ID, err)
		}
		s.outcome("folded")
		return nil
	}
	if err := s.ob.MarkInFlight(ctx, d.ID, s.now()); err != nil {
		return fmt.Errorf("mark in flight %d: %w", d.ID, err)
	}
	actx, cancel := context.WithTimeout(ctx, s.AttemptTimeout)
	thread, err := s.n.Notify(actx, d)
	timedOut := actx.Err() != nil
	cancel()
	if err != nil && ctx.Err() != nil {
		// Shutting down: not the receiver's fault. The delivery stays in
		// flight, so the next attempt looks for the message first.
		return nil
	}
	if err != nil && timedOut && !IsPermanent(err) {
		err = unsure(err) // the request may have landed before our deadline
	}
	return s.record(ctx, d, thread, err)
}

// record stores the outcome of an attempt: sent, failed for good, or to be
// retried after a backoff.
func (s *Sender) record(ctx context.Context, d Delivery, thread Thread, err error) error {
	mctx, mcancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer mcancel()
	switch {
	case err == nil:
		if err := s.ob.MarkSent(mctx, d.ID, s.now(), thread); err != nil {
			return fmt.Errorf("mark sent %d: %w", d.ID, err)
		}
		s.sent.Add(1)
		s.outcome("sent")
	case IsPermanent(err):
		s.log.Error("alert delivery failed, giving up", deliveryAttrs(d, err)...)
		if err := s.ob.MarkFailed(mctx, d.ID, err.Error()); err != nil {
			return fmt.Errorf("mark failed %d: %w", d.ID, err)
		}
		s.outcome("failed")
	default:
		wait := backoff(d.Attempts, err)
		if ra, ok := errors.AsType[*RetryAfterError](err); ok {
			s.limited.Store(s.now().Add(ra.Wait).UnixMilli())
		}
		s.log.Warn("alert delivery failed, will retry",
			append(deliveryAttrs(d, err), slog.Duration("retry_in", wait))...)
		mark := s.ob.MarkRetry
		if mayHaveLanded(err) {
			mark = s.ob.MarkRetryUnsure
		}
		if err := mark(mctx, d.ID, s.now().Add(wait), err.Error()); err != nil {
			return fmt.Errorf("mark retry %d: %w", d.ID, err)
		}
		s.outcome("retry")
	}
	return nil
}

func (s *Sender) outcome(o string) {
	if s.OnOutcome != nil {
		s.OnOutcome(o)
	}
}

// deliveryAttrs are the fixed log keys of a failed delivery. err comes from
// the notifier, which redacts its secrets.
func deliveryAttrs(d Delivery, err error) []any {
	return []any{slog.String("check", d.Event.Check), slog.String("kind", string(d.Event.Kind)),
		slog.Int64("incident", d.Event.IncidentID), slog.Int64("delivery", d.ID), slog.Int("attempt", d.Attempts+1), slog.String("err", err.Error())}
}

// DeliveryAttrs are deliveryAttrs, for adapters outside this package that
// log a delivery's failure the way the sender does.
func DeliveryAttrs(d Delivery, err error) []any { return deliveryAttrs(d, err) }

// backoff is the wait before retry number attempts+1: full jitter over a
// ceiling doubling from 1s to 5min, at least 1ms, and never less than a
// *RetryAfterError asks for.
func backoff(attempts int, err error) time.Duration {
	ceiling := backoffMax
	if attempts = max(attempts, 0); attempts < 20 { // 1s<<20 is well past the maximum
		ceiling = min(backoffBase<<attempts, backoffMax)
	}
	wait := max(rand.N(ceiling), time.Millisecond)
	if ra, ok := errors.AsType[*RetryAfterError](err); ok {
		wait = max(wait, ra.Wait)
	}
	return wait
}

// wait blocks until Wake, PollInterval or the end of ctx, and reports
// whether Wake ended it.
func (s *Sender) wait(ctx context.Context) bool {
	t := time.NewTimer(s.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-s.wake:
		return true
	case <-t.C:
	}
	return false
}
