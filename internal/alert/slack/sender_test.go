package slack

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

func TestSenderDrain(t *testing.T) {
	tests := []struct {
		name      string
		respond   responder
		drains    int
		wantReqs  int
		wantSent  int
		wantFail  bool
		wantTries int
	}{
		{name: "success marks sent", drains: 1, wantReqs: 1, wantSent: 1},
		{name: "fails twice then succeeds", respond: failFirst(2), drains: 4, wantReqs: 3, wantSent: 1, wantTries: 2},
		{name: "permanent error marks failed, no retry", drains: 3, wantReqs: 1, wantFail: true,
			respond: status(200, "", `{"ok":false,"error":"channel_not_found"}`)},
		{name: "down stays pending", respond: failFirst(100), drains: 3, wantReqs: 3, wantTries: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.respond = tt.respond
			ob, clk := &memOutbox{}, &fakeClock{t: evT0}
			it := ob.add(event(alert.KindOpened, "login-api", 1, bypass()))
			s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
			for range tt.drains {
				if err := s.Drain(context.Background()); err != nil {
					t.Fatalf("Drain: %v", err)
				}
				clk.advance(backoffMax + time.Second) // every retry is due next time
			}
			got := ob.snapshot(it)
			if n := len(f.requests()); n != tt.wantReqs {
				t.Errorf("Slack got %d requests, want %d", n, tt.wantReqs)
			}
			if got.sent != tt.wantSent || got.failed != tt.wantFail || got.Attempts != tt.wantTries {
				t.Errorf("item sent %d failed %v attempts %d, want %d %v %d",
					got.sent, got.failed, got.Attempts, tt.wantSent, tt.wantFail, tt.wantTries)
			}
		})
	}
}
func TestSenderRetryWaitsAtLeastRetryAfter(t *testing.T) {
	f := newFakeSlack(t)
	f.respond = status(http.StatusTooManyRequests, "Retry-After: 120", "")
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	it := ob.add(event(alert.KindOpened, "c", 1, bypass()))
	s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
	if err := s.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ob.snapshot(it); got.next.Sub(evT0) < 120*time.Second || got.errText == "" {
		t.Errorf("next try %s after failure, error %q; want ≥ 2m and a reason", got.next.Sub(evT0), got.errText)
	}
}
func TestSenderKeepsOrderPerCheck(t *testing.T) {
	f := newFakeSlack(t)
	f.respond = failFirst(1)
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	ob.add(event(alert.KindOpened, "alpha", 1, bypass()))
	ob.add(event(alert.KindResolved, "alpha", 1, bypass()))
	ob.add(event(alert.KindOpened, "beta", 2, bypass()))
	s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
	for range 2 {
		if err := s.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.advance(backoffMax + time.Second)
	}
	// alpha's first try fails; its resolution must wait behind it (and then
	// thread under the root it posted), beta need not wait.
	var got []string
	for _, r := range f.requests() {
		got = append(got, r.method()+" "+r.blockID(t)+" "+r.Form["thread_ts"])
	}
	want := []string{"chat.postMessage authmon-n1 ", "chat.postMessage authmon-n3 ",
		"chat.postMessage authmon-n1 ", "chat.update authmon-n2 ", "chat.postMessage authmon-n2 1700000000.000002"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
func TestSenderRunRetriesAndRedacts(t *testing.T) {
	f := newFakeSlack(t)
	f.respond = failFirst(2)
	ob := &memOutbox{failNext: 2}
	it := ob.add(event(alert.KindOpened, "login-api", 1, bypass()))
	logs := &syncBuffer{}
	clk := &fakeClock{t: evT0, step: backoffMax + time.Second} // every retry is due at once
	s := alert.NewSender(ob, f.webhook(), slog.New(slog.NewTextHandler(logs, nil)), clk.now)
	s.PollInterval = time.Millisecond
	stop := runSender(t, s)
	eventually(t, "delivery", func() bool { return ob.snapshot(it).sent > 0 })
	stop()
	if got := ob.snapshot(it); got.sent != 1 || got.Attempts != 2 || len(f.requests()) != 3 {
		t.Errorf("sent %d, attempts %d, requests %d; want 1, 2, 3", got.sent, got.Attempts, len(f.requests()))
	}
	out := logs.String()
	for _, want := range []string{"level=ERROR", "database is locked", "level=WARN", "check=login-api", "attempt=2"} {
		if !strings.Contains(out, want) {
			t.Errorf("log misses %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "CANARY") || strings.Contains(ob.snapshot(it).errText, "CANARY") {
		t.Errorf("secret in log or outbox:\n%s", out)
	}
}
func TestSenderWake(t *testing.T) {
	f := newFakeSlack(t)
	ob := &memOutbox{}
	s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), (&fakeClock{t: evT0}).now)
	s.PollInterval = time.Hour // only Wake can end the idle wait
	runSender(t, s)
	time.Sleep(10 * time.Millisecond) // let Run find the outbox empty and wait
	it := ob.add(event(alert.KindOpened, "c", 1, bypass()))
	s.Wake()
	s.Wake() // never blocks
	eventually(t, "delivery after Wake", func() bool { return ob.snapshot(it).sent == 1 })
}
func TestSenderAttemptTimeout(t *testing.T) {
	f := newFakeSlack(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	f.respond = func(int, request, http.ResponseWriter) bool { <-release; return true }
	ob := &memOutbox{}
	it := ob.add(event(alert.KindOpened, "c", 1, bypass()))
	s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), (&fakeClock{t: evT0}).now)
	s.AttemptTimeout = 20 * time.Millisecond
	if err := s.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ob.snapshot(it); got.sent != 0 || got.failed || got.Attempts != 1 {
		t.Errorf("after a timed-out attempt: sent %d failed %v attempts %d", got.sent, got.failed, got.Attempts)
	}
}
