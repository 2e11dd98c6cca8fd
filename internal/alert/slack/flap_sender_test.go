package slack

import (
	"context"
	"log/slog"
	"testing"

	"github.com/authmon/monitor/internal/alert"
)

// TestSenderLogsFoldedIncident covers item 1's "at least logged": a folded
// incident reaches the log, and never Slack.
func TestSenderLogsFoldedIncident(t *testing.T) {
	f := newFakeSlack(t)
	ob, logs := &memOutbox{}, &syncBuffer{}
	ev := event(alert.KindFolded, "login-api", 13, bypass())
	ev.Reason = "flapping"
	it := ob.add(ev)
	s := alert.NewSender(ob, f.bot(), slog.New(slog.NewTextHandler(logs, nil)), (&fakeClock{t: evT0}).now)
	if err := s.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 0 || ob.snapshot(it).sent != 1 {
		t.Fatalf("Slack got %d requests, item sent %d times; want 0 and 1", n, ob.snapshot(it).sent)
	}
	wantContent(t, logs.String(), "alert folded, not sent", "incident=13", "reason=flapping", "while flapping")
}
