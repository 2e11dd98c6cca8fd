package slack

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestSenderReportsOutcomes: OnOutcome hears every recorded attempt, as
// recorded: retried, then sent; and failed for a permanent error.
func TestSenderReportsOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		respond responder
		drains  int
		want    []string
	}{
		{"retried then sent", failFirst(2), 3, []string{"retry", "retry", "sent"}},
		{"gave up", status(200, "", `{"ok":false,"error":"channel_not_found"}`), 2, []string{"failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.respond = tt.respond
			ob, clk := &memOutbox{}, &fakeClock{t: evT0}
			ob.add(event(alert.KindOpened, "login-api", 1, bypass()))
			s := alert.NewSender(ob, f.bot(), slog.New(slog.DiscardHandler), clk.now)
			var got []string
			s.OnOutcome = func(o string) { got = append(got, o) }
			for range tt.drains {
				if err := s.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				clk.advance(backoffMax + time.Second)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("outcomes %v, want %v", got, tt.want)
			}
		})
	}
}
