package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// acceptThenHang makes f take every chat.postMessage (the message exists in
// Slack from then on) and then never answer, until the test ends.
func acceptThenHang(t *testing.T, f *fakeSlack) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	f.respond = func(_ int, r request, _ http.ResponseWriter) bool {
		if r.method() != "chat.postMessage" {
			return false
		}
		f.mu.Lock()
		f.success(r)
		f.mu.Unlock()
		<-release
		return true
	}
}

// TestSenderLooksUpAfterAcceptThenHang covers item 5: an attempt that timed
// out on our side after Slack took the message is looked up before it is
// retried, as after a crash, so the message is posted once.
func TestSenderLooksUpAfterAcceptThenHang(t *testing.T) {
	for _, kind := range []alert.Kind{alert.KindOpened, alert.KindResolved} {
		t.Run(string(kind), func(t *testing.T) {
			f := newLookupSlack(t)
			f.channels = []fakeChannel{{"C123", "alerts"}}
			acceptThenHang(t, f)
			ob, clk := &memOutbox{}, &fakeClock{t: evT0}
			it := ob.add(event(kind, "login-api", 1, bypass()))
			if kind == alert.KindResolved { // reply in an existing thread
				root := alert.Thread{Channel: "C123", TS: fmt.Sprintf("%d.000000", f.tsBase)}
				f.seed(fakeMessage{TS: root.TS, BlockID: "root"})
				ob.threads = map[int64]alert.Thread{1: root}
			}
			s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
			s.AttemptTimeout = 200 * time.Millisecond
			for range 4 {
				if err := s.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				clk.advance(backoffMax + time.Second)
			}
			posted := 0
			for _, r := range f.requests() {
				if r.method() == "chat.postMessage" {
					posted++
				}
			}
			if got := ob.snapshot(it); posted != 1 || got.sent != 1 {
				t.Fatalf("posted %d times, sent %d; want once and marked sent (lookups %v)", posted, got.sent, f.lookups())
			}
		})
	}
}
