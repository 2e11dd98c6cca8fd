package main

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestHistogramPercentile(t *testing.T) {
	tests := []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one sample", []time.Duration{7 * time.Millisecond}, 0.99, 7 * time.Millisecond},
		{"small values are exact", []time.Duration{1, 2, 3, 4}, 0.5, 2},
		{"negative counts as zero", []time.Duration{-time.Second}, 0.5, 0},
		{"median of 1..100 ms", spread(100, time.Millisecond), 0.50, 50 * time.Millisecond},
		{"p99 of 1..100 ms", spread(100, time.Millisecond), 0.99, 99 * time.Millisecond},
		{"p100 is the maximum", spread(100, time.Millisecond), 1, 100 * time.Millisecond},
		{"p0 is the minimum", spread(100, time.Millisecond), 0, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h histogram
			for _, s := range tt.samples {
				h.add(s)
			}
			got := h.percentile(tt.p)
			if h.count() != len(tt.samples) {
				t.Fatalf("count = %d, want %d", h.count(), len(tt.samples))
			}
			if want := max(slices.Max(append([]time.Duration{0}, tt.samples...)), 0); h.maximum() != want {
				t.Errorf("maximum = %v, want %v", h.maximum(), want)
			}
			if off := math.Abs(float64(got-tt.want)) / max(float64(tt.want), 1); off > 0.03 {
				t.Errorf("percentile(%v) = %v, want %v ±3%%", tt.p, got, tt.want)
			}
		})
	}
}

// TestBucketsTile checks that consecutive buckets cover every Duration once,
// so no sample can fall between two buckets or past the last.
func TestBucketsTile(t *testing.T) {
	prevHi := uint64(0)
	for i := 1; i < numBuckets; i++ {
		lo, hi := bucketBounds(i)
		if lo != prevHi+1 || hi < lo {
			t.Fatalf("bucket %d = [%d, %d], previous ended at %d", i, lo, hi, prevHi)
		}
		if bucketOf(lo) != i || bucketOf(hi) != i {
			t.Fatalf("bucketOf(%d)=%d, bucketOf(%d)=%d, want %d", lo, bucketOf(lo), hi, bucketOf(hi), i)
		}
		prevHi = hi
	}
	if prevHi != math.MaxInt64 {
		t.Fatalf("last bucket ends at %d, want the largest Duration", prevHi)
	}
}

// spread returns n samples step, 2·step, … n·step.
func spread(n int, step time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * step
	}
	return out
}
