package slack

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// afterOutage queues notifications of checks alpha, bravo and charlie as a long outage
// leaves them: each failed ten times and waits out a backoff of up to 5
// minutes from now.
func afterOutage(ob *memOutbox, now time.Time) {
	for _, check := range []string{"alpha", "bravo", "charlie"} {
		it := ob.add(event(alert.KindOpened, check, 1, bypass()))
		it.Attempts, it.next = 10, now.Add(backoff()+time.Second)
	}
}

// sentOrder lists the checks of the delivered messages, in order.
func sentOrder(f *fakeSlack) []string {
	var out []string
	for _, r := range f.delivered() {
		for _, check := range []string{"alpha", "bravo", "charlie", "delta"} {
			if strings.Contains(r.Form["text"], check) {
				out = append(out, check)
			}
		}
	}
	return out
}

// TestSenderRetriesChannelAtOnceAfterRecovery covers item 4: once a delivery
// to a channel succeeds, its waiting notifications go at once, in order.
func TestSenderRetriesChannelAtOnceAfterRecovery(t *testing.T) {
	f := newFakeSlack(t)
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	afterOutage(ob, evT0)
	ob.add(event(alert.KindOpened, "delta", 2, bypass())) // raised just after Slack came back
	s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
	if err := s.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sentOrder(f); !slices.Equal(got, []string{"delta", "alpha", "bravo", "charlie"}) {
		t.Fatalf("delivered %v, want delta, then alpha, bravo, charlie at once", got)
	}
}

// TestSenderProbesWhenNewAlertWaits covers item 4's new alert stuck behind
// its check's old retry: queuing it tries the queue's head at once.
func TestSenderProbesWhenNewAlertWaits(t *testing.T) {
	f := newFakeSlack(t)
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	afterOutage(ob, evT0)
	s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
	s.PollInterval = time.Hour // only Wake may start a delivery
	runSender(t, s)
	ob.add(event(alert.KindResolved, "alpha", 1, bypass())) // behind a's old retry
	s.Wake()
	eventually(t, "every notification delivered", func() bool { return len(sentOrder(f)) == 4 })
	if got := sentOrder(f); !slices.Equal(got, []string{"alpha", "bravo", "charlie", "alpha"}) {
		t.Fatalf("delivered %v, want alpha, bravo, charlie, then alpha resolved", got)
	}
}

// TestSenderDoesNotProbeARateLimitedSlack: the probe of a new alert never
// goes before the end of the Retry-After Slack asked for.
func TestSenderDoesNotProbeARateLimitedSlack(t *testing.T) {
	f := newFakeSlack(t)
	f.respond = status(http.StatusTooManyRequests, "Retry-After: 120", "")
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	ob.add(event(alert.KindOpened, "alpha", 1, bypass()))
	s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
	s.PollInterval = time.Hour
	runSender(t, s)
	eventually(t, "the first attempt", func() bool { return len(f.requests()) == 1 })
	ob.add(event(alert.KindResolved, "alpha", 1, bypass()))
	s.Wake()
	time.Sleep(50 * time.Millisecond) // a probe would go at once
	if n := len(f.requests()); n != 1 {
		t.Fatalf("Slack got %d requests while it asked to wait, want 1", n)
	}
}
