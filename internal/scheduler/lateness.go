package scheduler

import (
	"math"
	"sync/atomic"
	"time"
)

// Histogram buckets: bucket 0 holds lateness below minBound; bucket i ≥ 1
// holds [bound(i-1), bound(i)) with bound(i) = minBound·2^(i/4), so each
// bucket is 19% wider than the one before; the last one holds the rest
// (bound(78) ≈ 74 s).
const (
	minBound         = 100 * time.Microsecond
	bucketsPerOctave = 4
	numBuckets       = 80
)

// LatenessStats summarises how late runs started: the time from a run's
// scheduled (jittered) slot to the moment it began, waiting for a
// concurrency slot included. Percentiles are bucket upper bounds, capped by
// the maximum: at most 19% above the true value.
type LatenessStats struct {
	P50, P99, Max time.Duration
	N             int
}

// histogram counts lateness in fixed buckets without locks: observe is two
// or three atomic operations.
type histogram struct {
	counts [numBuckets]atomic.Uint64
	max    atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(d)].Add(1)
	for cur := h.max.Load(); int64(d) > cur && !h.max.CompareAndSwap(cur, int64(d)); cur = h.max.Load() {
	}
}

func bucketOf(d time.Duration) int {
	if d < minBound {
		return 0
	}
	i := int(math.Log2(float64(d)/float64(minBound))*bucketsPerOctave) + 1
	return min(i, numBuckets-1)
}

// bound is the upper bound of bucket i.
func bound(i int) time.Duration {
	return time.Duration(float64(minBound) * math.Exp2(float64(i)/bucketsPerOctave))
}

// stats reads the histogram; with reset it also empties it, bucket by bucket
// (a run observed meanwhile lands in one measurement or the next).
func (h *histogram) stats(reset bool) LatenessStats {
	var counts [numBuckets]uint64
	var n uint64
	for i := range h.counts {
		if reset {
			counts[i] = h.counts[i].Swap(0)
		} else {
			counts[i] = h.counts[i].Load()
		}
		n += counts[i]
	}
	mx := time.Duration(h.max.Load())
	if reset {
		mx = time.Duration(h.max.Swap(0))
	}
	return LatenessStats{P50: quantile(&counts, n, 0.50, mx), P99: quantile(&counts, n, 0.99, mx), Max: mx, N: int(n)}
}

// quantile returns the upper bound of the bucket holding the q-th value.
func quantile(counts *[numBuckets]uint64, n uint64, q float64, mx time.Duration) time.Duration {
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i, c := range counts {
		if seen += c; seen >= rank {
			return min(bound(i), mx)
		}
	}
	return mx
}
