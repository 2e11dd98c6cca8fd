package gcpace

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100},         // no collection yet
		{5 << 20, 100},   // a few hundred checks: Go's default
		{20 << 20, 100},  // the default's headroom is exactly Headroom
		{25 << 20, 80},   // 20 MiB of headroom
		{40 << 20, 50},   // 10,000 checks
		{400 << 20, 50},  // never below MinPercent
		{1<<64 - 1, 50},  // no overflow
		{30<<20 + 1, 66}, // rounded down: headroom at most Headroom
		{Headroom - 1, 100},
	} {
		if got := Percent(c.live); got != c.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// current reads the collector's pace.
func current() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestAdjustFollowsTheLiveHeap grows the real live heap past what the
// default pace suits and shrinks it again: the pace set follows.
func TestAdjustFollowsTheLiveHeap(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })

	p := &pacer{current: MaxPercent}
	runtime.GC()
	if _, now, changed := p.adjust(); changed || now != MaxPercent {
		t.Fatalf("small live heap (%d MiB): pace %d, changed %v; want %d unchanged", p.live>>20, now, changed, MaxPercent)
	}

	held := make([]byte, 3*Headroom)
	for i := range held {
		held[i] = byte(i)
	}
	runtime.GC()
	if old, now, changed := p.adjust(); !changed || old != MaxPercent || now != MinPercent {
		t.Fatalf("live heap %d MiB: pace %d -> %d (changed %v), want %d -> %d", p.live>>20, old, now, changed, MaxPercent, MinPercent)
	}
	if got := current(); got != MinPercent {
		t.Fatalf("the runtime's pace is %d after adjust, want %d", got, MinPercent)
	}
	if _, _, changed := p.adjust(); changed {
		t.Fatal("a second look at the same live heap changed the pace again")
	}
	runtime.KeepAlive(held)
	held = nil

	runtime.GC()
	if old, now, changed := p.adjust(); !changed || old != MinPercent || now != MaxPercent {
		t.Fatalf("live heap back to %d MiB: pace %d -> %d (changed %v), want %d -> %d", p.live>>20, old, now, changed, MinPercent, MaxPercent)
	}
	if got := current(); got != MaxPercent {
		t.Fatalf("the runtime's pace is %d, want %d", got, MaxPercent)
	}
}

// TestSmallChangesWait: a live heap that moves the wanted pace by less
// than a tenth of the default leaves the pace as it is.
func TestSmallChangesWait(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })
	held := make([]byte, 25<<20) // wants about 78 with what the test binary holds besides
	for i := range held {
		held[i] = 1
	}
	runtime.GC()
	p := &pacer{current: MaxPercent}
	_, first, changed := p.adjust()
	if !changed || first >= MaxPercent || first <= MinPercent {
		t.Fatalf("live heap %d MiB: pace %d (changed %v), want between %d and %d", p.live>>20, first, changed, MinPercent, MaxPercent)
	}
	more := make([]byte, 1<<20) // about 3 points less
	runtime.GC()
	if _, now, changed := p.adjust(); changed || now != first {
		t.Fatalf("live heap %d MiB: pace moved %d -> %d for a 1 MiB change", p.live>>20, first, now)
	}
	runtime.KeepAlive(held)
	runtime.KeepAlive(more)
}

func TestChosenByTheEnvironment(t *testing.T) {
	t.Setenv("GOGC", "")
	if !Chosen() {
		t.Error("GOGC set (even empty): the user's pace must stand")
	}
}
