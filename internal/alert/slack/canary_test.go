package slack

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/alert"
)

func TestPermanentErrorFailsOnceAndOthersGo(t *testing.T) {
	f := newFakeSlack(t)
	f.respond = func(n int, r request, w http.ResponseWriter) bool {
		return r.Form["channel"] == "gone" && status(http.StatusOK, "", `{"ok":false,"error":"channel_not_found"}`)(n, r, w)
	}
	ob, clk := &memOutbox{}, &fakeClock{t: evT0}
	lost := event(alert.KindOpened, "alpha", 1, bypass())
	lost.Channel = "gone"
	bad := ob.add(lost)
	ob.add(event(alert.KindOpened, "beta", 2, bypass()))
	ob.add(event(alert.KindReminder, "beta", 2, bypass()))
	logs := &syncBuffer{}
	drainAll(t, alert.NewSender(ob, f.bot(), slog.New(slog.NewTextHandler(logs, nil)), clk.now), ob, clk)

	if got := ob.snapshot(bad); !got.failed || got.sent != 0 || !strings.Contains(got.errText, "channel_not_found") {
		t.Errorf("lost delivery: failed %v sent %d err %q", got.failed, got.sent, got.errText)
	}
	var tries, beta int
	for _, r := range f.requests() {
		if r.blockID(t) == "authmon-n1" {
			tries++
		} else if r.OK {
			beta++
		}
	}
	if tries != 1 || beta != 2 {
		t.Errorf("%d tries of the lost delivery (want 1), %d of beta's delivered (want 2)", tries, beta)
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 || !strings.Contains(logs.String(), "delivery=1") {
		t.Errorf("%d ERROR records, want 1 naming delivery 1:\n%s", n, logs.String())
	}
}

// TestSecretsNeverLeak runs a whole incident through a failing Slack in both
// modes and looks for the canaries everywhere they could surface.
func TestSecretsNeverLeak(t *testing.T) {
	for _, mode := range []string{"bot", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			f := newFakeSlack(t)
			var mu sync.Mutex
			tried := map[string]bool{}
			f.respond = func(n int, r request, w http.ResponseWriter) bool {
				mu.Lock()
				defer mu.Unlock()
				first := !tried[r.blockID(t)]
				tried[r.blockID(t)] = true
				// Fail every delivery once, echoing the secrets back as a
				// misbehaving proxy might.
				return first && status(http.StatusInternalServerError, "", "CANARY-hook xoxb-CANARY-tok")(n, r, w)
			}
			n := f.bot()
			if mode == "webhook" {
				n = f.webhook()
			}
			ob, clk, logs := &memOutbox{}, &fakeClock{t: evT0}, &syncBuffer{}
			for _, ev := range lifecycle("login-api", 3) {
				ob.add(ev)
			}
			drainAll(t, alert.NewSender(ob, n, slog.New(slog.NewTextHandler(logs, nil)), clk.now), ob, clk)
			for _, r := range f.requests() {
				if strings.Contains(withoutToken(r.Body), "CANARY") {
					t.Errorf("secret in a request body: %s", r.Body)
				}
			}
			for _, it := range ob.items {
				if e := ob.snapshot(it).errText; e == "" || strings.Contains(e, "CANARY") {
					t.Errorf("delivery %d error %q: want a reason without the secret", it.ID, e)
				}
			}
			if out := logs.String(); !strings.Contains(out, "level=WARN") || strings.Contains(out, "CANARY") {
				t.Errorf("log shows a secret or no failure:\n%s", out)
			}
		})
	}
}

// withoutToken drops the token field of a form body, the one place the
// token must be.
func withoutToken(body string) string {
	vals, err := url.ParseQuery(body)
	if err != nil || !vals.Has("token") {
		return body
	}
	vals.Del("token")
	return vals.Encode()
}

func TestTargetTextEscapedMentionNot(t *testing.T) {
	f := newFakeSlack(t)
	r := bypass()
	r.Failure.Assertion.Got = "<script>alert(1)</script> <!channel>"
	ev := event(alert.KindOpened, "login-api", 5, r)
	ev.Mention = "<!here>"
	if _, err := f.bot().Notify(t.Context(), alert.Delivery{ID: 1, Event: ev}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.webhook().Notify(t.Context(), alert.Delivery{ID: 1, Event: ev}); err != nil {
		t.Fatal(err)
	}
	for _, req := range f.requests() {
		var text string
		var all []string
		for _, b := range req.blocks(t) {
			if tx, ok := b["text"].(map[string]any); ok {
				all = append(all, tx["text"].(string))
			}
		}
		text = req.Form["text"]
		if req.method() == "webhook" {
			text = jsonField(t, req.Body, "text")
		}
		all = append(all, text)
		joined := strings.Join(all, "\n")
		if strings.Contains(joined, "<script>") || strings.Contains(joined, "<!channel>") ||
			!strings.Contains(joined, "&lt;script&gt;") || !strings.Contains(joined, "&lt;!channel&gt;") {
			t.Errorf("%s: target text not escaped:\n%s", req.method(), joined)
		}
		if !strings.HasPrefix(text, "<!here> Incident #5") || !strings.HasPrefix(all[0], "<!here> Incident #5") {
			t.Errorf("%s: mention not leading and raw: text %q, first block %q", req.method(), text, all[0])
		}
	}
}

// TestMentionOnlyWhenSet checks every message form of every kind: the
// mention leads the text and the first block of the messages announcing a
// problem when the event has one, and appears nowhere else.
func TestMentionOnlyWhenSet(t *testing.T) {
	for _, mention := range []string{"", "<!subteam^S123>"} {
		for _, kind := range []alert.Kind{alert.KindOpened, alert.KindUpdated, alert.KindReminder, alert.KindResolved, alert.KindFlapping, alert.KindCalm, alert.KindTest} {
			ev := event(kind, "svc", 4, bypass())
			ev.Mention = mention
			d := alert.Delivery{ID: 2, Event: ev}
			forms := map[string]alert.SlackMessage{"standalone": alert.SlackStandalone(d), "reply": alert.SlackReply(d),
				"root": alert.SlackRoot(d), "resolved root": alert.SlackResolvedRoot(d)}
			for name, m := range forms {
				first := m.Blocks[0].(*slackapi.SectionBlock).Text.Text
				all := m.Text + blockTexts(t, m.Blocks)
				pings := kind == alert.KindOpened || kind == alert.KindUpdated || kind == alert.KindReminder || name == "root"
				want := mention != "" && pings && name != "resolved root"
				if want && (!strings.HasPrefix(m.Text, mention+" ") || !strings.HasPrefix(first, mention+" ")) {
					t.Errorf("%s %s: mention %q not leading: %q / %q", kind, name, mention, m.Text, first)
				}
				if !want && strings.Contains(all, "<!") {
					t.Errorf("%s %s with mention %q: unexpected mention in %q", kind, name, mention, all)
				}
				if want && strings.Count(all, mention) != 2 {
					t.Errorf("%s %s: mention %d times, want once in text and once in blocks", kind, name, strings.Count(all, mention))
				}
			}
		}
	}
}
