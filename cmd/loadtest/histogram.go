package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// subBuckets is how many buckets split each power of two: 32 keeps any
// percentile within ~3% of the true value. numBuckets reaches the largest
// Duration (2^63-1 ns).
const (
	subBits    = 5
	subBuckets = 1 << subBits
	numBuckets = (64 - subBits) * subBuckets
)

// histogram counts durations in log-linear buckets instead of keeping every
// sample: 600,000 runs would otherwise add megabytes to the very RSS the load
// test reports. It is safe for concurrent use and costs no lock on add.
type histogram struct {
	counts [numBuckets]atomic.Uint64
	n      atomic.Uint64
	max    atomic.Int64
}

// add counts one duration; negative durations count as zero.
func (h *histogram) add(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))].Add(1)
	h.n.Add(1)
	for cur := h.max.Load(); int64(d) > cur && !h.max.CompareAndSwap(cur, int64(d)); cur = h.max.Load() {
	}
}

// maximum returns the largest duration added, exactly.
func (h *histogram) maximum() time.Duration { return time.Duration(h.max.Load()) }

// count returns how many durations were added.
func (h *histogram) count() int { return int(h.n.Load()) }

// percentile returns the duration below which a fraction p (0..1) of the
// samples fall, as the middle of its bucket; 0 without samples.
func (h *histogram) percentile(p float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p * float64(n)))
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			lo, hi := bucketBounds(i)
			return time.Duration(lo + (hi-lo)/2)
		}
	}
	// Only reachable when adds race with the walk; the top bucket is a safe answer.
	lo, _ := bucketBounds(numBuckets - 1)
	return time.Duration(lo)
}

// bucketOf maps a value to its bucket: values below subBuckets exactly, larger
// ones by their top subBits+1 significant bits.
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	return (shift+1)*subBuckets + int(v>>shift) - subBuckets
}

// bucketBounds returns the smallest and largest value bucket i holds.
func bucketBounds(i int) (lo, hi uint64) {
	if i < subBuckets {
		return uint64(i), uint64(i)
	}
	shift := i/subBuckets - 1
	m := uint64(i%subBuckets + subBuckets)
	return m << shift, (m+1)<<shift - 1
}
