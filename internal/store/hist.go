package store

import (
	"encoding/binary"
	"errors"
	"time"
)

// histBounds are the upper bounds, in microseconds, of the latency
// histogram's buckets; a last bucket takes everything slower. Roughly 1-2-3-5
// steps keep p50/p95/p99 within one step of the truth from 0.1 ms to a minute.
var histBounds = [...]int64{
	100, 200, 300, 500, 700,
	1_000, 2_000, 3_000, 5_000, 7_000,
	10_000, 20_000, 30_000, 50_000, 70_000,
	100_000, 200_000, 300_000, 500_000, 700_000,
	1_000_000, 2_000_000, 3_000_000, 5_000_000, 7_000_000,
	10_000_000, 20_000_000, 30_000_000, 60_000_000,
}

// histBuckets is the number of buckets of a latency histogram.
const histBuckets = len(histBounds) + 1

// hist counts latencies per bucket.
type hist []uint64

func newHist() hist { return make(hist, histBuckets) }

func (h hist) add(us int64) {
	i := 0
	for i < len(histBounds) && us > histBounds[i] {
		i++
	}
	h[i]++
}

func (h hist) merge(o hist) {
	for i := range h {
		if i < len(o) {
			h[i] += o[i]
		}
	}
}

// encode packs the counts as uvarints: an hour of a passing check is a few
// bytes, since most buckets are zero.
func (h hist) encode() []byte { return h.appendTo(make([]byte, 0, len(h)+4)) }

// appendTo appends the encoding of h to buf.
func (h hist) appendTo(buf []byte) []byte {
	for _, c := range h {
		buf = binary.AppendUvarint(buf, c)
	}
	return buf
}

func decodeHist(b []byte) (hist, error) {
	h := newHist()
	for i := range h {
		c, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errors.New("corrupt latency histogram")
		}
		h[i], b = c, b[n:]
	}
	return h, nil
}

// quantile returns the upper bound of the bucket holding the q-th latency
// (0 < q ≤ 1), or 0 when empty.
func (h hist) quantile(q float64) time.Duration {
	var total uint64
	for _, c := range h {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h {
		seen += c
		if seen >= rank {
			if i == len(histBounds) {
				return time.Duration(histBounds[i-1]) * time.Microsecond * 2
			}
			return time.Duration(histBounds[i]) * time.Microsecond
		}
	}
	return 0
}
