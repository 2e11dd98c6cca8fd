// Package gcpace bounds how far the Go heap may grow past its live part
// before a collection, so that a monitor of many checks does not hold twice
// what it needs.
//
// Go's default pace (GOGC=100) lets the heap reach twice its live size. For
// a few hundred checks that is a few MB and the cheapest pace in CPU; at
// 10,000 checks the live heap is about 40 MB and the default pace holds
// 80 MB of heap, most of it garbage waiting for the next collection. A
// monitor's allocation rate grows with its runs, not with its live heap,
// so a collection every Headroom bytes costs about the same CPU per run at
// any size: the pace is lowered only as far as keeps the headroom near
// Headroom, and never below MinPercent, which bounds the CPU collections
// can take (docs/performance.md has the figures).
package gcpace

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

const (
	// Headroom is how far the heap may grow past its live part before a
	// collection while the default pace would allow more.
	Headroom = 20 << 20
	// MinPercent is the lowest pace set (GOGC=MinPercent).
	MinPercent = 50
	// MaxPercent is Go's default pace, kept while the live heap is small.
	MaxPercent = 100
	// every is how often the live heap is looked at: it moves with the
	// configuration, not from one run to the next.
	every = 10 * time.Second
)

// Percent is the pace (as GOGC) for a live heap of live bytes.
func Percent(live uint64) int {
	if live == 0 {
		return MaxPercent
	}
	p := uint64(MaxPercent) * Headroom / live
	return int(min(max(p, MinPercent), MaxPercent))
}

// Chosen reports whether the process's environment sets the collector's
// pace or a memory limit: then the user's choice stands and Run does
// nothing.
func Chosen() bool {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	return gogc || limit
}

// Run keeps the pace at Percent of the live heap until ctx ends, unless
// the environment chose one (Chosen); it logs each change at debug level.
func Run(ctx context.Context, log *slog.Logger) {
	if Chosen() {
		return
	}
	p := &pacer{current: MaxPercent}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if old, now, changed := p.adjust(); changed && log != nil {
				log.Debug("garbage collector pace", "gogc", now, "was", old, "live_heap_mib", p.live>>20)
			}
		}
	}
}

// pacer is Run's state: the pace set last and the live heap it saw.
type pacer struct {
	current int
	live    uint64
	sample  [1]metrics.Sample
}

// liveHeap is the runtime's measure of the heap that survived the latest
// collection.
const liveHeap = "/gc/heap/live:bytes"

// adjust reads the live heap and sets the pace it calls for. A change of
// less than a tenth of the default is not made: the live heap wobbles
// with the runs in flight at the collection.
func (p *pacer) adjust() (old, now int, changed bool) {
	p.sample[0].Name = liveHeap
	metrics.Read(p.sample[:])
	if p.sample[0].Value.Kind() != metrics.KindUint64 {
		return p.current, p.current, false
	}
	p.live = p.sample[0].Value.Uint64()
	want := Percent(p.live)
	if diff := want - p.current; diff > -MaxPercent/10 && diff < MaxPercent/10 && want != MaxPercent && want != MinPercent {
		return p.current, p.current, false
	}
	if want == p.current {
		return p.current, p.current, false
	}
	old = p.current
	debug.SetGCPercent(want)
	p.current = want
	return old, want, true
}
