package alert

import (
	"slices"
	"testing"
	"time"
)

// flappy is a policy that flaps after 4 changes and calms after 10 minutes.
func flappy() Policy {
	p := DefaultPolicy()
	p.FlapChanges, p.FlapWindow, p.FlapCalm = 4, 30*time.Minute, 10*time.Minute
	return p
}

// flapStart is four status changes by minute 4: the check flaps from then.
var flapStart = []step{{run(0), "", false}, {run(1, "C1"), "", false}, {run(2), "", false},
	{run(3, "C1"), "", false}, {run(4), "flapping", false}}

// TestDecideFlappingNeverMutesSecurity covers item 1: flapping folds
// availability noise only; a bypass is announced at once and every announced
// incident gets its resolution.
func TestDecideFlappingNeverMutesSecurity(t *testing.T) {
	t.Run("a bypass opening while flapping is announced and resolved", func(t *testing.T) {
		play(t, flappy(), append(slices.Clone(flapStart),
			step{run(5, "B1"), "opened", true}, step{run(6), "", true}, step{run(7), "resolved", false}))
	})
	t.Run("an incident announced before flapping is resolved while flapping", func(t *testing.T) {
		play(t, flappy(), []step{{run(0), "", false}, {run(1, "C1"), "", false}, {run(2, "C1"), "opened", true},
			{run(3), "", true}, {run(4, "C1"), "", true}, {run(5), "flapping", true}, {run(6), "resolved", false}})
	})
	t.Run("an availability incident folded while flapping is recorded and named when calm", func(t *testing.T) {
		var calm Event
		p := flappy()
		st := play(t, p, append(slices.Clone(flapStart),
			step{run(5, "C1"), "", false}, step{run(6, "C1"), "", true}, step{run(7), "", true},
			step{run(8), "folded", false}))
		st, _, evs := Decide(st, run(18), 19, p)
		if len(evs) != 1 || evs[0].Kind != KindCalm {
			t.Fatalf("events %+v, want one calm", evs)
		}
		calm = evs[0]
		if !slices.Equal(calm.Incidents, []int64{42}) || calm.Changes < 4 || st.Folded != nil {
			t.Fatalf("calm names incidents %v after %d changes (state keeps %v), want [42] after ≥ 4",
				calm.Incidents, calm.Changes, st.Folded)
		}
	})
	t.Run("the flapping notice counts the changes and names the open incident", func(t *testing.T) {
		var st State
		for i, s := range []step{{run(0), "", false}, {run(1, "C1"), "", false}, {run(2, "C1"), "opened", true},
			{run(3), "", true}, {run(4, "C1"), "", true}} {
			st, _, _ = Decide(st, s.res, int64(i+1), flappy())
			if st.Incident != nil {
				st.Incident.ID = 7
			}
		}
		_, _, evs := Decide(st, run(5), 6, flappy())
		if len(evs) != 1 || evs[0].Kind != KindFlapping || evs[0].Changes != 4 ||
			!slices.Equal(evs[0].Incidents, []int64{7}) || evs[0].Window != 30*time.Minute {
			t.Fatalf("flapping notice = %+v", evs)
		}
	})
}

// TestDecideSilenceHoldsFlapNotices covers item 2: the flapping and "stable
// again" notices obey silences like every other kind, and are sent when the
// silence ends if still true.
func TestDecideSilenceHoldsFlapNotices(t *testing.T) {
	from := func(a, b int) []Silence {
		return []Silence{{Start: t0.Add(time.Duration(a) * time.Minute), End: t0.Add(time.Duration(b) * time.Minute)}}
	}
	p := flappy()
	p.Silences = from(3, 12)
	play(t, p, []step{{run(0), "", false}, {run(1, "C1"), "", false}, {run(2), "", false},
		{run(3, "C1"), "", false}, {run(4), "", false}, // flapping begins, silenced
		{run(5, "C1"), "", false}, {run(6, "C1"), "", true}, {run(8, "C1"), "", true},
		{run(12, "C1"), "flapping", true}, // still flapping when the silence ends
		{run(16, "C1"), "calm opened", true}})
	p.Silences = from(3, 9)
	play(t, p, []step{{run(0), "", false}, {run(1, "C1"), "", false}, {run(2), "", false},
		{run(3, "C1"), "", false}, {run(4), "", false}, {run(9), "flapping", false}})

	p.Silences = from(10, 30)
	play(t, p, append(slices.Clone(flapStart), step{run(5), "", false},
		step{run(15), "", false}, // calm inside the silence: held
		step{run(31), "calm", false}))
	p.Reminder = 5 * time.Minute
	p.Silences = from(2, 30)
	play(t, p, []step{{run(0, "B1"), "opened", true}, {run(10, "B1"), "", true}, {run(30, "B1"), "reminder", true}})
}

// TestFoldedReason: a folded incident says what held it back, also when
// the silence ended before it resolved.
func TestFoldedReason(t *testing.T) {
	p := DefaultPolicy()
	p.Silences = []Silence{{Start: t0.Add(time.Minute), End: t0.Add(5 * time.Minute)}}
	st := play(t, p, []step{{run(0), "", false}, {run(1, "B1"), "", true}, {run(5), "", true}})
	if _, _, evs := Decide(st, run(6), 4, p); len(evs) != 1 || evs[0].Reason != "silence" {
		t.Fatalf("events %+v, want one folded by a silence", evs)
	}
	st = play(t, flappy(), append(slices.Clone(flapStart), step{run(5, "C1"), "", false},
		step{run(6, "C1"), "", true}, step{run(7), "", true}))
	if _, _, evs := Decide(st, run(8), 9, flappy()); len(evs) != 1 || evs[0].Reason != "flapping" {
		t.Fatalf("events %+v, want one folded by flapping", evs)
	}
}
