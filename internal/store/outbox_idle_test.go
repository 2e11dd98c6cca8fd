package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestIdleOutboxSeesWhatIsQueued: NextDue, asked every second, remembers an
// empty outbox (SQLite) but never hides a notification: not one queued by a
// run, nor one whose retry time comes, nor one waiting behind another.
func TestIdleOutboxSeesWhatIsQueued(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		now := time.Now().Add(time.Hour)
		nothing := func(at time.Time) {
			t.Helper()
			if d, err := s.NextDue(ctx, at); !errors.Is(err, alert.ErrNothingDue) {
				t.Fatalf("NextDue(%s) = %+v, %v; want nothing due", at, d, err)
			}
		}
		due := func(at time.Time) alert.Delivery {
			t.Helper()
			d, err := s.NextDue(ctx, at)
			if err != nil {
				t.Fatalf("NextDue(%s): %v", at, err)
			}
			return d
		}
		nothing(now)
		nothing(now)
		t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		for i, status := range []int{401, 200} { // the second opens an incident
			if _, _, err := s.RecordRun(ctx, result("api", t0.Add(time.Duration(i)*time.Minute), status), decide); err != nil {
				t.Fatal(err)
			}
		}
		opened := due(now)
		if opened.Event.Kind != alert.KindOpened {
			t.Fatalf("due %+v, want the opening", opened.Event)
		}
		if err := s.MarkRetry(ctx, opened.ID, now.Add(time.Minute), "slack: 500"); err != nil {
			t.Fatal(err)
		}
		nothing(now)
		// A newer one of the same check, due at once, waits behind it.
		if _, _, err := s.RecordRun(ctx, result("api", t0.Add(2*time.Minute), 401), decide); err != nil {
			t.Fatal(err)
		}
		nothing(now)
		nothing(now.Add(30 * time.Second))
		if d := due(now.Add(time.Minute)); d.ID != opened.ID {
			t.Fatalf("due %d, want %d once its retry time came", d.ID, opened.ID)
		}
		if err := s.MarkSent(ctx, opened.ID, now.Add(time.Minute), alert.Thread{}); err != nil {
			t.Fatal(err)
		}
		if d := due(now.Add(time.Minute)); d.Event.Kind != alert.KindResolved {
			t.Fatalf("due %+v, want the resolution", d.Event)
		}
	})
}

// BenchmarkNextDueIdle is the sender's poll of an empty outbox, once a
// second in a running monitor.
func BenchmarkNextDueIdle(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir()+"/idle.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	for b.Loop() {
		if _, err := s.NextDue(context.Background(), now); !errors.Is(err, alert.ErrNothingDue) {
			b.Fatal(err)
		}
	}
}
