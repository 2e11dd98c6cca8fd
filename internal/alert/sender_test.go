package alert

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, attempts := range []int{-1, 0, 1, 5, 8, 9, 30, 1000} {
		ceiling := min(backoffBase<<max(min(attempts, 20), 0), backoffMax)
		for range 50 {
			if d := backoff(attempts, errors.New("x")); d < time.Millisecond || d > ceiling {
				t.Fatalf("backoff(%d) = %s, want within [1ms, %s]", attempts, d, ceiling)
			}
		}
	}
	ra := &RetryAfterError{Wait: time.Hour, Err: errors.New("slow down")}
	if d := backoff(0, ra); d != time.Hour {
		t.Errorf("backoff with Retry-After 1h = %s", d)
	}
}

// notifierFunc adapts a function to Notifier.
type notifierFunc func(ctx context.Context, d Delivery) (Thread, error)

func (f notifierFunc) Notify(ctx context.Context, d Delivery) (Thread, error) { return f(ctx, d) }

// TestSenderMarksInFlight: every attempt is marked in flight before the
// notifier runs; a failed mark skips the round without sending; an attempt
// cut short (here by shutdown, as by a crash) leaves the delivery in flight,
// and the next attempt is told.
func TestSenderMarksInFlight(t *testing.T) {
	ob, clk, logs := &memOutbox{failInFlight: 2}, &fakeClock{t: evT0}, &syncBuffer{}
	it := ob.add(event(KindOpened, "c", 1, bypass()))
	var seen []bool // d.InFlight of each attempt
	block := true
	n := notifierFunc(func(ctx context.Context, d Delivery) (Thread, error) {
		if got := ob.snapshot(it); !got.InFlight || got.marks != len(seen)+1 {
			t.Errorf("attempt %d: outbox in flight %v after %d marks", len(seen)+1, got.InFlight, got.marks)
		}
		seen = append(seen, d.InFlight)
		if block {
			<-ctx.Done()
			return Thread{}, ctx.Err()
		}
		return Thread{}, nil
	})
	s := NewSender(ob, n, slog.New(slog.NewTextHandler(logs, nil)), clk.now)
	if err := s.Drain(context.Background()); err == nil || len(seen) != 0 {
		t.Fatalf("Drain with a failing mark: %v, %d attempts; want an error and none", err, len(seen))
	}
	s.PollInterval = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ob.snapshot(it).marks == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	s.Run(ctx) // the mark fails once more, then the attempt is shut down mid-send
	wantContent(t, logs.String(), "alert outbox failed", "mark in flight 1: disk I/O error")
	if got := ob.snapshot(it); !got.InFlight || got.sent != 0 || got.Attempts != 0 {
		t.Fatalf("after shutdown mid-send: in flight %v, sent %d, attempts %d", got.InFlight, got.sent, got.Attempts)
	}
	block = false
	if err := NewSender(ob, n, slog.New(slog.DiscardHandler), clk.now).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ob.snapshot(it); got.InFlight || got.sent != 1 || len(seen) != 2 || seen[0] || !seen[1] {
		t.Errorf("in flight %v, sent %d, attempts saw in flight %v; want false, 1, [false true]", got.InFlight, got.sent, seen)
	}
}
