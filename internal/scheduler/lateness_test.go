package scheduler

import (
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	for _, d := range []time.Duration{0, 50 * time.Microsecond, minBound, time.Millisecond, 7 * time.Millisecond,
		49 * time.Millisecond, time.Second, time.Minute} {
		i := bucketOf(d)
		if d >= bound(i) || (i > 0 && d < bound(i-1)) {
			t.Errorf("%s in bucket %d [%s, %s)", d, i, bound(i-1), bound(i))
		}
	}
	if i := bucketOf(time.Hour); i != numBuckets-1 {
		t.Errorf("an hour in bucket %d, want the last", i)
	}
}

func TestLatenessStats(t *testing.T) {
	cases := []struct {
		name          string
		observe       []time.Duration
		p50, p99, max time.Duration // the true values; reported ≤ 19% above
		n             int
	}{
		{name: "empty"},
		{name: "one", observe: []time.Duration{3 * time.Millisecond}, p50: 3 * time.Millisecond,
			p99: 3 * time.Millisecond, max: 3 * time.Millisecond, n: 1},
		{name: "negative counts as on time", observe: []time.Duration{-time.Millisecond}, n: 1},
		{name: "tail", observe: append(repeat(2*time.Millisecond, 98), 40*time.Millisecond, 2*time.Second),
			p50: 2 * time.Millisecond, p99: 40 * time.Millisecond, max: 2 * time.Second, n: 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h histogram
			for _, d := range tc.observe {
				h.observe(d)
			}
			st := h.stats(true)
			if !near(st.P50, tc.p50) || !near(st.P99, tc.p99) || st.Max != tc.max || st.N != tc.n {
				t.Fatalf("stats %+v, want p50 %s p99 %s max %s n %d", st, tc.p50, tc.p99, tc.max, tc.n)
			}
			if after := h.stats(false); after != (LatenessStats{}) {
				t.Fatalf("after a reset: %+v", after)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// near: a reported percentile is the bound of the value's bucket.
func near(got, want time.Duration) bool {
	if want < minBound {
		return got <= minBound
	}
	return got >= want && float64(got) <= float64(want)*1.19
}
