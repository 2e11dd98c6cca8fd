package slack

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// memOutbox is an in-memory Outbox with the same rules as the SQLite one: a
// check's newer notifications wait behind its older pending one, and the
// root a delivery was sent as is handed to the later deliveries of the same
// incident. An attempt marked in flight and never finished is reported as
// InFlight by NextDue, as after a crash.
type memOutbox struct {
	mu           sync.Mutex
	items        []*memItem
	threads      map[int64]alert.Thread // incident ID -> root
	failNext     int                    // NextDue fails this many more times
	failInFlight int                    // MarkInFlight fails this many more times
}

type memItem struct {
	alert.Delivery
	next    time.Time
	sent    int // times MarkSent was called
	marks   int // times MarkInFlight was called
	failed  bool
	errText string
}

func (o *memOutbox) add(ev alert.Event) *memItem {
	o.mu.Lock()
	defer o.mu.Unlock()
	it := &memItem{Delivery: alert.Delivery{ID: int64(len(o.items) + 1), Event: ev}}
	o.items = append(o.items, it)
	return it
}

func (o *memOutbox) NextDue(_ context.Context, now time.Time) (alert.Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failNext > 0 {
		o.failNext--
		return alert.Delivery{}, errors.New("database is locked")
	}
	blocked := map[string]bool{}
	for _, it := range o.items {
		if it.sent > 0 || it.failed || blocked[it.Event.Check] {
			continue
		}
		if !it.next.After(now) {
			d := it.Delivery
			if d.Event.IncidentID != 0 {
				d.Thread = o.threads[d.Event.IncidentID]
			}
			return d, nil
		}
		blocked[it.Event.Check] = true
	}
	return alert.Delivery{}, alert.ErrNothingDue
}

func (o *memOutbox) update(id int64, f func(*memItem)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, it := range o.items {
		if it.ID == id {
			f(it)
			return nil
		}
	}
	return errors.New("no such delivery")
}

func (o *memOutbox) MarkInFlight(_ context.Context, id int64, _ time.Time) error {
	o.mu.Lock()
	fail := o.failInFlight > 0
	o.failInFlight = max(o.failInFlight-1, 0)
	o.mu.Unlock()
	if fail {
		return errors.New("disk I/O error")
	}
	return o.update(id, func(it *memItem) { it.InFlight = true; it.marks++ })
}

func (o *memOutbox) MarkSent(_ context.Context, id int64, at time.Time, root alert.Thread) error {
	return o.update(id, func(it *memItem) {
		it.sent++
		it.InFlight = false
		for _, w := range o.items { // the channel takes messages again
			if it.Event.Kind != alert.KindFolded && w.sent == 0 && !w.failed && w.Event.Channel == it.Event.Channel && w.next.After(at) {
				w.next = at
			}
		}
		if root.TS != "" && it.Event.IncidentID != 0 {
			if o.threads == nil {
				o.threads = map[int64]alert.Thread{}
			}
			o.threads[it.Event.IncidentID] = root
		}
	})
}

func (o *memOutbox) MarkRetry(_ context.Context, id int64, next time.Time, errText string) error {
	return o.update(id, func(it *memItem) {
		it.Attempts++
		it.next, it.errText, it.InFlight = next, errText, false
	})
}

func (o *memOutbox) MarkRetryUnsure(_ context.Context, id int64, next time.Time, errText string) error {
	return o.update(id, func(it *memItem) {
		it.Attempts++
		it.next, it.errText = next, errText // still in flight: look first
	})
}

func (o *memOutbox) MarkFailed(_ context.Context, id int64, errText string) error {
	return o.update(id, func(it *memItem) { it.failed, it.errText, it.InFlight = true, errText, false })
}

// snapshot copies an item under the lock.
func (o *memOutbox) snapshot(it *memItem) memItem {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *it
}

// fakeClock is a settable clock; step > 0 advances it on every read.
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a log sink safe to read while the sender writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runSender starts Run and returns a stop function that waits for it.
func runSender(t *testing.T, s *alert.Sender) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond for up to 5s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
