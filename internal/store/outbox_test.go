package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestRetryUnsureStaysInFlight covers item 5 in the store: an attempt that
// may have landed keeps the delivery in flight for its retry.
func TestRetryUnsureStaysInFlight(t *testing.T) {
	engines(t, func(t *testing.T) {
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
	})
}

// TestMarkSentReleasesChannel covers item 4 in the store: once a delivery to
// a channel succeeds, the channel's waiting notifications are due at once,
// in their order; other channels' and folded records do not release them.
func TestMarkSentReleasesChannel(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		now := time.Now()
		var ids []int64
		for i, ch := range []string{"", "", "#sec", "", ""} {
			id, err := s.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: "c" + string(rune('a'+i)), Channel: ch})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		for _, id := range ids[:3] { // an outage: long backoffs
			if err := s.MarkRetry(ctx, id, now.Add(5*time.Minute), "slack webhook: 503"); err != nil {
				t.Fatal(err)
			}
		}
		folded, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindFolded, Check: "z"})
		if err := s.MarkSent(ctx, folded, now, alert.Thread{}); err != nil {
			t.Fatal(err)
		}
		if d, err := s.NextDue(ctx, now.Add(time.Second)); err != nil || d.ID != ids[3] {
			t.Fatalf("after a folded record: next due %+v, %v; want %d (the backoffs still hold)", d, err, ids[3])
		}
		if err := s.MarkSent(ctx, ids[3], now, alert.Thread{}); err != nil {
			t.Fatal(err)
		}
		var got []int64
		for range 3 {
			d, err := s.NextDue(ctx, now.Add(time.Second))
			if err != nil {
				t.Fatalf("after the channel recovered: %v (got %v)", err, got)
			}
			got = append(got, d.ID)
			if err := s.MarkSent(ctx, d.ID, now, alert.Thread{}); err != nil {
				t.Fatal(err)
			}
		}
		if want := []int64{ids[0], ids[1], ids[4]}; !slices.Equal(got, want) {
			t.Fatalf("delivered %v, want %v in order (%d, on #sec, still waits)", got, want, ids[2])
		}
	})
}

// TestDeliveryStatus covers the overview's "failing since T, N waiting".
func TestDeliveryStatus(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return t0 }
		a, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: "a"})
		b, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: "b"})
		if st, err := s.DeliveryStatus(ctx); err != nil || st.Waiting != 2 || st.Failing() {
			t.Fatalf("before any attempt: %+v, %v", st, err)
		}
		if err := s.MarkRetry(ctx, a, t0.Add(time.Minute), "slack webhook: 503"); err != nil {
			t.Fatal(err)
		}
		s.now = func() time.Time { return t0.Add(time.Minute) }
		if err := s.MarkRetry(ctx, a, t0.Add(2*time.Minute), "slack webhook: 502"); err != nil {
			t.Fatal(err)
		}
		st, err := s.DeliveryStatus(ctx)
		if err != nil || st.Waiting != 2 || !st.FailingSince.Equal(t0) || st.LastError != "slack webhook: 502" {
			t.Fatalf("while failing: %+v, %v; want 2 waiting, failing since %s", st, err, t0)
		}
		for _, id := range []int64{a, b} {
			if err := s.MarkSent(ctx, id, t0.Add(3*time.Minute), alert.Thread{}); err != nil {
				t.Fatal(err)
			}
		}
		if st, err := s.DeliveryStatus(ctx); err != nil || st.Waiting != 0 || st.Failing() {
			t.Fatalf("after recovery: %+v, %v", st, err)
		}
	})
}
