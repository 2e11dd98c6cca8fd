package alert

import (
	"slices"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestEscalateAndAcknowledge: an unacknowledged incident escalates once,
// after escalate_after, and every later notification also goes to the
// escalation's channels (so what was paged is resolved); an acknowledged
// one gets neither reminders nor escalation, but still its resolution.
func TestEscalateAndAcknowledge(t *testing.T) {
	p := DefaultPolicy()
	p.Reminder = 10 * time.Minute
	p.Routes = map[checks.Severity][]string{checks.SevCritical: {"chat"}}
	p.Escalations = []Escalation{{Severities: []checks.Severity{checks.SevCritical}, After: 15 * time.Minute, To: []string{"pager"}}}
	t.Run("unacknowledged", func(t *testing.T) {
		st := play(t, p, []step{
			{run(0, "B1"), "opened", true},
			{run(1, "B1"), "", true},
			{run(10, "B1"), "reminder", true},
			{run(16, "B1"), "escalated", true},
			{run(17, "B1"), "", true},
		})
		st, _, evs := Decide(st, run(18), 19, p)
		_, _, evs2 := Decide(st, run(19), 20, p)
		all := append(evs, evs2...)
		if len(all) != 1 || all[0].Kind != KindResolved || !slices.Equal(all[0].Channels, []string{"chat", "pager"}) {
			t.Fatalf("resolution %+v, want one to chat and pager", all)
		}
	})
	t.Run("acknowledged", func(t *testing.T) {
		acked := p
		acked.AckedBy = "alice"
		st := play(t, p, []step{{run(0, "B1"), "opened", true}, {run(1, "B1"), "", true}})
		for m := 11; m < 40; m += 5 {
			var evs []Event
			st, _, evs = Decide(st, run(m, "B1"), int64(m), acked)
			if len(evs) > 0 {
				t.Fatalf("minute %d: %v after the acknowledgement", m, evs[0].Kind)
			}
		}
		st, _, _ = Decide(st, run(41), 41, acked)
		_, _, evs := Decide(st, run(42), 42, acked)
		if len(evs) != 1 || evs[0].Kind != KindResolved || evs[0].AckedBy != "alice" {
			t.Fatalf("resolution %+v", evs)
		}
	})
}
