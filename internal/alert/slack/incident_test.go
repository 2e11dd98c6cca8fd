package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// lifecycle is one incident of check as Decide announces it: opened on a
// conformance failure, updated when a bypass joins it (which makes it
// critical, so from then on it carries the mention), reminded, resolved.
func lifecycle(check string, id int64) []alert.Event {
	opened := event(alert.KindOpened, check, id, wrongChallenge())
	opened.At = evT0.Add(2 * time.Minute)
	later := func(kind alert.Kind, after time.Duration) alert.Event {
		ev := event(kind, check, id, wrongChallenge(), bypass())
		ev.At, ev.Mention = evT0.Add(after), "<!here>"
		return ev
	}
	updated := later(alert.KindUpdated, 5*time.Minute)
	updated.Added = []string{"missing/B1"}
	reminder := later(alert.KindReminder, 2*time.Hour+5*time.Minute)
	resolved := later(alert.KindResolved, 2*time.Hour+14*time.Minute)
	resolved.Resolved = resolved.At
	return []alert.Event{opened, updated, reminder, resolved}
}

// drainAll drains ob until every item is sent or failed, advancing the fake
// clock past any backoff in between, so no test sleeps for it.
func drainAll(t *testing.T, s *alert.Sender, ob *memOutbox, clk *fakeClock) {
	t.Helper()
	for range 30 {
		if err := s.Drain(context.Background()); err != nil {
			t.Fatalf("Drain: %v", err)
		}
		if _, err := ob.NextDue(context.Background(), clk.now().Add(backoffMax+time.Second)); err != nil {
			return // nothing pending, however long we wait
		}
		clk.advance(backoffMax + time.Second)
	}
	t.Fatal("outbox not drained after 30 rounds")
}

// call is one expected request of the fake Slack.
type call struct {
	method, blockID string
	threaded        bool   // ts (update) or thread_ts (reply) is the root
	text            string // in the fallback text
}

func TestIncidentThreadsInBotMode(t *testing.T) {
	f := newFakeSlack(t)
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	for _, ev := range lifecycle("login-api", 12) {
		ob.add(ev)
	}
	drainAll(t, alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now), ob, clk)
	const root = "1700000000.000001"
	want := []call{
		{"chat.postMessage", "authmon-n1", false, "Incident #12 — :large_yellow_circle: conformance — login-api failing since 21:03 UTC (2m)"},
		{"chat.update", "authmon-n2", true, "<!here> Incident #12 — :rotating_light: CRITICAL: auth bypass — login-api failing since 21:03 UTC (5m)"},
		{"chat.postMessage", "authmon-n2", true, "<!here> now also failing; severity rose to :rotating_light: CRITICAL: auth bypass: GET https://api.example.test/me"},
		{"chat.postMessage", "authmon-n3", true, "<!here> still failing after 2h5m (since 21:03 UTC)"},
		{"chat.update", "authmon-n4", true, "Incident #12 — ✅ login-api resolved after 2h14m (was critical-security): resolved: POST"},
		{"chat.postMessage", "authmon-n4", true, "✅ recovered after 2h14m"},
	}
	got := f.requests()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		thread := r.Form["thread_ts"]
		if w.method == "chat.update" {
			thread = r.Form["ts"]
			if r.Form["channel"] != "C123" {
				t.Errorf("request %d: update in channel %q, want the ID Slack answered", i, r.Form["channel"])
			}
		}
		if r.method() != w.method || r.blockID(t) != w.blockID || (thread == root) != w.threaded ||
			(!w.threaded && thread != "") || !strings.HasPrefix(r.Form["text"], w.text) {
			t.Errorf("request %d: %s %s thread %q text %q\nwant %+v", i, r.method(), r.blockID(t), thread, r.Form["text"], w)
		}
	}
	if last := got[4].firstText(t); !strings.Contains(last, "resolved after 2h14m") {
		t.Errorf("final root says %q, want resolved", last)
	}
}

func TestIncidentSurvivesSlackOutage(t *testing.T) {
	f := newFakeSlack(t)
	// By request number: an outage of every kind Slack has, and one failed
	// reply after its chat.update succeeded (request 7).
	script := map[int]responder{
		1: status(http.StatusInternalServerError, "", "oops"),
		2: status(http.StatusTooManyRequests, "Retry-After: 1", ""),
		3: status(http.StatusOK, "", `{"ok":false,"error":"ratelimited"}`),
		4: status(http.StatusOK, "", `{"ok":false,"error":"internal_error"}`),
		7: status(http.StatusOK, "", `{"ok":false,"error":"internal_error"}`),
	}
	f.respond = func(n int, r request, w http.ResponseWriter) bool {
		return script[n] != nil && script[n](n, r, w)
	}
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	for _, ev := range lifecycle("login-api", 7) {
		ob.add(ev)
	}
	other := ob.add(event(alert.KindOpened, "beta", 8, bypass()))
	drainAll(t, alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now), ob, clk)

	for _, it := range ob.items {
		if got := ob.snapshot(it); got.sent != 1 || got.failed {
			t.Errorf("delivery %d: sent %d failed %v", it.ID, got.sent, got.failed)
		}
	}
	// Posts and replies are not idempotent: each exactly once, in order.
	// Updates are, so a retried one may repeat.
	var posts []string
	for _, r := range f.delivered() {
		if r.method() == "chat.postMessage" && r.blockID(t) != alert.BlockID(other.ID) {
			posts = append(posts, r.blockID(t))
		}
	}
	if got, want := strings.Join(posts, " "), "authmon-n1 authmon-n2 authmon-n3 authmon-n4"; got != want {
		t.Errorf("posts %s, want %s", got, want)
	}
	if n := len(f.requests()); n != 13 {
		t.Errorf("%d requests, want 13 (4 failed, 1 repeated update)", n)
	}
}

func TestIncidentInWebhookMode(t *testing.T) {
	f := newFakeSlack(t)
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	for _, ev := range lifecycle("login-api", 7) {
		ob.add(ev)
	}
	drainAll(t, alert.NewSender(ob, f.webhook(), slog.New(slog.DiscardHandler), clk.now), ob, clk)
	got := f.requests()
	if len(got) != 4 {
		t.Fatalf("%d requests, want 4", len(got))
	}
	for i, word := range []string{"opened", "update", "reminder", "resolved"} {
		r := got[i]
		head := "Incident #7 " + word
		// The mention, when there is one, comes first so that it is seen.
		if first := strings.TrimPrefix(r.firstText(t), "<!here> "); !strings.HasPrefix(first, head) {
			t.Errorf("message %d starts %q, want %q", i, first, head)
		}
		if r.blockID(t) != fmt.Sprintf("authmon-n%d", i+1) || !strings.Contains(r.Body, `"text":"`) {
			t.Errorf("message %d: block_id %q, body %s", i, r.blockID(t), r.Body)
		}
	}
	if _, err := ob.NextDue(context.Background(), clk.now()); err != alert.ErrNothingDue || len(ob.threads) != 0 {
		t.Errorf("after webhook delivery: %v, threads %v (webhooks cannot thread)", err, ob.threads)
	}
}
