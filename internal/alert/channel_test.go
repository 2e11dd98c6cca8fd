package alert

import (
	"context"
	"testing"
)

type recordingNotifier struct{ got []int64 }

func (r *recordingNotifier) Notify(_ context.Context, d Delivery) (Thread, error) {
	r.got = append(r.got, d.ID)
	return Thread{}, nil
}

// TestChannelsRoute: a row goes to its named channel; the default
// channel's rows and those of a channel removed from the config go to the
// default notifier, so that none is lost or stuck.
func TestChannelsRoute(t *testing.T) {
	def, pager := &recordingNotifier{}, &recordingNotifier{}
	c := NewChannels(map[string]Notifier{"pager": pager}, def, nil)
	for _, d := range []Delivery{{ID: 1, Channel: "pager"}, {ID: 2, Channel: DefaultChannel}, {ID: 3, Channel: "removed"}} {
		if _, err := c.Notify(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	if len(pager.got) != 1 || pager.got[0] != 1 || len(def.got) != 2 {
		t.Fatalf("pager %v, default %v", pager.got, def.got)
	}
	if got := c.Names(); len(got) != 1 || got[0] != "pager" {
		t.Errorf("names %v", got)
	}
}
