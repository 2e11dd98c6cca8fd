package store

import (
	"context"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestRetryUnsureStaysInFlight covers item 5 in the store: an attempt that
// may have landed keeps the delivery in flight for its retry.
func TestRetryUnsureStaysInFlight(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	id, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: "a"})
	now := time.Now().Add(time.Second)
	if err := s.MarkInFlight(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetryUnsure(ctx, id, now, "slack post: context deadline exceeded"); err != nil {
		t.Fatal(err)
	}
	d, err := s.NextDue(ctx, now)
	if err != nil || d.ID != id || !d.InFlight || d.Attempts != 1 {
		t.Fatalf("after a timed-out attempt: %+v, %v; want in flight, 1 attempt", d, err)
	}
}
