package store

import (
	"context"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestChannelsFanOutAndOrderApart: an event queues one row per named
// channel; a channel that fails holds back only its own later rows, and a
// Slack root posted in a named channel becomes that channel's thread only.
func TestChannelsFanOutAndOrderApart(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		now := time.Now().Add(time.Second)
		ev := alert.Event{Kind: alert.KindOpened, Check: "c", IncidentID: 7, Channels: []string{"pd", "mail"}}
		first, err := s.Enqueue(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		ev.Kind = alert.KindResolved
		if _, err := s.Enqueue(ctx, ev); err != nil {
			t.Fatal(err)
		}
		d, err := s.NextDue(ctx, now)
		if err != nil || d.ID != first || d.Channel != "pd" {
			t.Fatalf("first due %+v, %v; want %d to pd", d, err, first)
		}
		if err := s.MarkRetry(ctx, d.ID, now.Add(time.Hour), "pagerduty: 503"); err != nil {
			t.Fatal(err)
		}
		got := map[string][]alert.Kind{}
		for {
			d, err := s.NextDue(ctx, now)
			if err != nil {
				break
			}
			got[d.Channel] = append(got[d.Channel], d.Event.Kind)
			if err := s.MarkSent(ctx, d.ID, now, alert.Thread{Channel: "C1", TS: "1.2"}); err != nil {
				t.Fatal(err)
			}
		}
		if len(got["pd"]) != 0 || len(got["mail"]) != 2 || got["mail"][0] != alert.KindOpened {
			t.Fatalf("delivered %v; want mail's two in order and nothing more to pd while it fails", got)
		}
		d, err = s.NextDue(ctx, now.Add(2*time.Hour))
		if err != nil || d.Channel != "pd" || d.Event.Kind != alert.KindOpened || d.Thread.TS != "" {
			t.Fatalf("pd later: %+v, %v; want its opened first, without mail's thread", d, err)
		}
		if err := s.MarkSent(ctx, d.ID, now, alert.Thread{}); err != nil {
			t.Fatal(err)
		}
		d, err = s.NextDue(ctx, now.Add(2*time.Hour))
		if err != nil || d.Event.Kind != alert.KindResolved {
			t.Fatalf("pd resolved: %+v, %v", d, err)
		}
		ns, err := s.Notifications(ctx, 10)
		if err != nil || len(ns) != 4 || ns[0].Channel == "" {
			t.Fatalf("notifications %+v, %v", ns, err)
		}
	})
}
