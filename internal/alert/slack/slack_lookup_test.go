package slack

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// newLookupSlack is a fake Slack whose messages are timestamped just after
// the events of these tests, as the real ones would be.
func newLookupSlack(t *testing.T) *fakeSlack {
	f := newFakeSlack(t)
	f.tsBase = evT0.Add(15 * time.Minute).Unix()
	return f
}

// posts lists the block_ids of the successful chat.postMessage requests.
func posts(t *testing.T, f *fakeSlack) []string {
	var out []string
	for _, r := range f.delivered() {
		if r.method() == "chat.postMessage" {
			out = append(out, r.blockID(t))
		}
	}
	return out
}

// methods lists the requests made after the first skip ones.
func methods(f *fakeSlack, skip int) string {
	var out []string
	for _, r := range f.requests()[skip:] {
		out = append(out, r.method())
	}
	return strings.Join(out, " ")
}

// TestInFlightRootIsNotPostedTwice: the process died after Slack took the
// root message and before the outbox recorded it. After the restart the
// root is found, recorded as the incident's thread, and the resolution
// threads under it.
func TestInFlightRootIsNotPostedTwice(t *testing.T) {
	ctx := context.Background()
	f := newLookupSlack(t)
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	opened, resolved := event(alert.KindOpened, "login-api", 5, bypass()), event(alert.KindResolved, "login-api", 5, bypass())
	opened.Channel, resolved.Channel = "C123", "C123"
	it := ob.add(opened)
	ob.add(resolved)
	// The dead attempt: marked, posted, never recorded.
	if err := ob.MarkInFlight(ctx, it.ID, evT0); err != nil {
		t.Fatal(err)
	}
	dead, err := f.bot().Notify(ctx, alert.Delivery{ID: it.ID, Event: opened})
	if err != nil {
		t.Fatal(err)
	}
	f.seed(fakeMessage{TS: "1999999999.000001", BlockID: "someone-else"}) // newer chatter
	drainAll(t, alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now), ob, clk)

	if got := methods(f, 1); got != "conversations.history chat.update chat.postMessage" {
		t.Errorf("after the restart: %s, want a lookup, no second root", got)
	}
	if got := ob.threads[5]; got != dead {
		t.Errorf("incident thread %+v, want the root the dead attempt posted %+v", got, dead)
	}
	hist := f.requests()[1]
	wantOldest := strconv.FormatInt(opened.At.Add(-lookupSkew).Unix(), 10) + ".000000"
	if hist.Form["channel"] != "C123" || hist.Form["oldest"] != wantOldest {
		t.Errorf("history channel %q oldest %q, want C123 %s", hist.Form["channel"], hist.Form["oldest"], wantOldest)
	}
	if reply := f.requests()[3]; reply.Form["thread_ts"] != dead.TS {
		t.Errorf("resolution replied under %q, want %q", reply.Form["thread_ts"], dead.TS)
	}
}

// TestInFlightReplyIsNotPostedTwice: the reply an interrupted attempt posted
// is found in the thread. The update before it is repeated: it is harmless.
func TestInFlightReplyIsNotPostedTwice(t *testing.T) {
	for _, kind := range []alert.Kind{alert.KindReminder, alert.KindResolved, alert.KindFlapping} {
		t.Run(string(kind), func(t *testing.T) {
			ctx, f := context.Background(), newLookupSlack(t)
			root, err := f.bot().Notify(ctx, alert.Delivery{ID: 1, Event: event(alert.KindOpened, "c", 2, bypass())})
			if err != nil {
				t.Fatal(err)
			}
			d := alert.Delivery{ID: 2, Event: event(kind, "c", 2, bypass()), Thread: root}
			if _, err := f.bot().Notify(ctx, d); err != nil { // the dead attempt
				t.Fatal(err)
			}
			n := len(f.requests())
			d.InFlight = true
			if th, err := f.bot().Notify(ctx, d); err != nil || th != (alert.Thread{}) {
				t.Fatalf("Notify = %+v, %v", th, err)
			}
			want := "conversations.replies"
			if kind == alert.KindResolved {
				want = "chat.update conversations.replies"
			}
			if got := methods(f, n); got != want {
				t.Errorf("requests %s, want %s", got, want)
			}
			if got := strings.Join(posts(t, f), " "); got != "authmon-n1 authmon-n2" {
				t.Errorf("posts %s, want one root and one reply", got)
			}
		})
	}
}

// TestInFlightReplyAfterUpdateOnly: the dead attempt updated the root and
// died before replying. The root now carries the delivery's block_id; it
// must not pass for the reply.
func TestInFlightReplyAfterUpdateOnly(t *testing.T) {
	ctx, f := context.Background(), newLookupSlack(t)
	root, err := f.bot().Notify(ctx, alert.Delivery{ID: 1, Event: event(alert.KindOpened, "c", 2, bypass())})
	if err != nil {
		t.Fatal(err)
	}
	f.respond = func(n int, r request, w http.ResponseWriter) bool {
		return r.method() == "chat.postMessage" && status(http.StatusInternalServerError, "", "")(n, r, w)
	}
	d := alert.Delivery{ID: 2, Event: event(alert.KindResolved, "c", 2, bypass()), Thread: root}
	if _, err := f.bot().Notify(ctx, d); err == nil {
		t.Fatal("the dead attempt's reply succeeded")
	}
	f.respond = nil
	d.InFlight = true
	if _, err := f.bot().Notify(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(posts(t, f), " "); got != "authmon-n1 authmon-n2" {
		t.Errorf("posts %s, want the reply posted now", got)
	}
}

// TestInFlightButAbsentIsPosted: nothing of the delivery in Slack, among
// other people's messages, or only beyond the pages read: it is posted once.
func TestInFlightButAbsentIsPosted(t *testing.T) {
	for _, tt := range []struct {
		name      string
		pageSize  int
		seed      []fakeMessage
		histories int
	}{
		{name: "absent", histories: 1, seed: []fakeMessage{{TS: "1740863800.000001"},
			{TS: "1740863800.000002", BlockID: "authmon-n77"}, {TS: "1740863800.000003", BlockID: "x"}}},
		{name: "beyond the pages read", pageSize: 2, histories: lookupPages,
			seed: append([]fakeMessage{{TS: "1740863800.000001", BlockID: "authmon-n5"}},
				make([]fakeMessage, 2*lookupPages)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newLookupSlack(t)
			f.pageSize = tt.pageSize
			for i, m := range tt.seed {
				m.TS = cmp.Or(m.TS, fmt.Sprintf("1740864000.%06d", i)) // newer than the first
				f.seed(m)
			}
			ev := event(alert.KindOpened, "c", 2, bypass())
			ev.Channel = "C123"
			th, err := f.bot().Notify(context.Background(), alert.Delivery{ID: 5, Event: ev, InFlight: true})
			if err != nil || th.TS != "1740863880.000001" {
				t.Fatalf("Notify = %+v, %v; want the new root", th, err)
			}
			want := strings.Repeat("conversations.history ", tt.histories) + "chat.postMessage"
			if got := methods(f, 0); got != want {
				t.Errorf("requests %s, want %s", got, want)
			}
		})
	}
}

// refuseLookups answers every conversations.* request with code and body.
func refuseLookups(code int, body string) responder {
	return func(n int, r request, w http.ResponseWriter) bool {
		return strings.HasPrefix(r.method(), "conversations.") && status(code, "", body)(n, r, w)
	}
}

// TestLookupFailureStillPosts: a lookup Slack refuses (a scope missing, the
// bot not in the channel, an outage, an unknown channel name) never costs
// the notification: it is posted, once, and the failure is logged.
func TestLookupFailureStillPosts(t *testing.T) {
	for _, tt := range []struct {
		name, channel, log string
		respond            responder
	}{
		{"missing_scope", "C123", "missing_scope", refuseLookups(200, `{"ok":false,"error":"missing_scope","needed":"channels:history"}`)},
		{"not_in_channel", "C123", "not_in_channel", refuseLookups(200, `{"ok":false,"error":"not_in_channel"}`)},
		{"outage", "C123", "500", refuseLookups(500, "")},
		{"unknown channel name", "#nowhere", "nowhere", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newLookupSlack(t)
			f.respond = tt.respond
			logs := &syncBuffer{}
			n := f.bot()
			n.Log = slog.New(slog.NewTextHandler(logs, nil))
			ctx := context.Background()
			opened, reminder := event(alert.KindOpened, "c", 2, bypass()), event(alert.KindReminder, "c", 2, bypass())
			opened.Channel, reminder.Channel = tt.channel, tt.channel
			root, err := n.Notify(ctx, alert.Delivery{ID: 1, Event: opened, InFlight: true})
			if err != nil || root.TS == "" {
				t.Fatalf("root: %+v, %v", root, err)
			}
			// Only the ts stored: the thread is in the incident's channel.
			reply := alert.Delivery{ID: 2, Event: reminder, Thread: alert.Thread{TS: root.TS}, InFlight: true}
			if _, err := n.Notify(ctx, reply); err != nil {
				t.Fatalf("reply: %v", err)
			}
			if got := strings.Join(posts(t, f), " "); got != "authmon-n1 authmon-n2" {
				t.Errorf("posts %s, want each once", got)
			}
			out := logs.String()
			wantContent(t, out, "level=WARN", "delivery=1", "delivery=2", tt.log)
			if strings.Contains(out, "CANARY") {
				t.Errorf("secret in the log:\n%s", out)
			}
		})
	}
}

// TestLookupResolvesChannelNameOnce: a channel configured by name is looked
// up by ID, found on the second page of conversations.list, and remembered:
// the next delivery lists nothing.
func TestLookupResolvesChannelNameOnce(t *testing.T) {
	f := newLookupSlack(t)
	f.pageSize = 2
	f.channels = []fakeChannel{{"C1", "general"}, {"G2", "secret"}, {"C777", "auth-alerts"}, {"C8", "random"}}
	cfg := f.botConfig()
	cfg.Channel = "#auth-alerts"
	n := New(cfg, f.srv.Client())
	n.settle = 0
	second := event(alert.KindOpened, "beta", 3, bypass())
	second.Channel = "auth-alerts" // routed, without the "#"
	for i, ev := range []alert.Event{event(alert.KindOpened, "alpha", 2, bypass()), second} {
		if _, err := n.Notify(context.Background(), alert.Delivery{ID: int64(i + 1), Event: ev, InFlight: true}); err != nil {
			t.Fatal(err)
		}
	}
	want := "conversations.list conversations.list conversations.history C777 conversations.history C777"
	if got := strings.Join(f.lookups(), " "); got != want {
		t.Errorf("lookups %s, want %s", got, want)
	}
	list := f.requests()[0]
	if list.Form["types"] != "public_channel,private_channel" || list.Form["exclude_archived"] != "true" {
		t.Errorf("conversations.list form %v", list.Form)
	}
	if got := strings.Join(posts(t, f), " "); got != "authmon-n1 authmon-n2" {
		t.Errorf("posts %s", got)
	}
}

// TestNotInFlightMakesNoLookup: the common path stays one request per
// message; webhook mode never looks anything up.
func TestNotInFlightMakesNoLookup(t *testing.T) {
	root := alert.Thread{Channel: "C123", TS: "1740863880.000001"}
	for _, kind := range []alert.Kind{alert.KindOpened, alert.KindUpdated, alert.KindReminder, alert.KindResolved, alert.KindFlapping, alert.KindCalm, alert.KindTest} {
		for _, th := range []alert.Thread{{}, root} {
			f := newLookupSlack(t)
			d := alert.Delivery{ID: 1, Event: event(kind, "c", 2, bypass()), Thread: th}
			if _, err := f.bot().Notify(context.Background(), d); err != nil {
				t.Fatal(err)
			}
			d.InFlight = true
			if _, err := f.webhook().Notify(context.Background(), d); err != nil {
				t.Fatal(err)
			}
			if l := f.lookups(); len(l) != 0 {
				t.Errorf("%s thread=%v: lookups %v", kind, th.TS != "", l)
			}
		}
	}
}

// TestLookupWaitsForTheDeadRequest: right after a quick restart the dead
// attempt's post may still be in Slack's hands; the lookup waits for it to
// land before looking.
func TestLookupWaitsForTheDeadRequest(t *testing.T) {
	f := newLookupSlack(t)
	n := f.bot()
	n.settle = 300 * time.Millisecond
	ev := event(alert.KindOpened, "c", 2, bypass())
	ev.Channel = "C123"
	landed := fakeMessage{TS: "1740863880.000042", BlockID: "authmon-n5"}
	time.AfterFunc(50*time.Millisecond, func() { f.seed(landed) })
	th, err := n.Notify(context.Background(), alert.Delivery{ID: 5, Event: ev, InFlight: true})
	if err != nil || th != (alert.Thread{Channel: "C123", TS: landed.TS}) {
		t.Errorf("Notify = %+v, %v; want the message that landed late", th, err)
	}
	if got := methods(f, 0); got != "conversations.history" {
		t.Errorf("requests %s, want only the lookup", got)
	}
}
