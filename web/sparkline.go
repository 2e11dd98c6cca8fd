package web

import (
	"strconv"
	"time"

	"github.com/authmon/monitor/internal/store"
)

// The sparkline is a check's last 24 hours in 72×20 pixels of inline SVG,
// drawn on the server so the page needs no script: the p95 latency of each
// hour as a line (broken where an hour had no run) over a row of marks, one
// under each hour that had a failed run. Its title says the same in words,
// so neither colour nor the picture is the only carrier. A steady check's
// line is a single "h" command: the page has 1,000 of them.
const (
	sparkStep   = 3  // pixels per hour
	sparkLineH  = 13 // height of the latency line's band, from y=1
	sparkMarkY  = 16 // top of the failure marks
	sparkHeight = 20
)

// sparkline returns the SVG markup for hours (oldest first), or "" when no
// hour had a run.
func sparkline(hours []store.Bucket) string { return string(appendSparkline(nil, hours)) }

// appendSparkline appends the markup; everything in it is numbers or
// escaped text.
func appendSparkline(b []byte, hours []store.Bucket) []byte {
	var slowest time.Duration
	ran, failed := 0, 0
	for _, h := range hours {
		if h.Runs > 0 {
			ran++
			slowest = max(slowest, h.P95)
		}
		if h.Failed > 0 {
			failed++
		}
	}
	if ran == 0 {
		return b
	}
	width := len(hours) * sparkStep
	b = append(b, `<svg class="spark" viewBox="0 0 `...)
	b = strconv.AppendInt(b, int64(width), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, sparkHeight, 10)
	b = append(b, `" width="`...)
	b = strconv.AppendInt(b, int64(width), 10)
	b = append(b, `" height="`...)
	b = strconv.AppendInt(b, sparkHeight, 10)
	b = append(b, `" role="img"><title>`...)
	b = appendSparkLabel(b, hours, ran, failed)
	b = append(b, `</title><path class="spark-line" d="`...)
	b = appendSparkPath(b, hours, slowest)
	b = append(b, `"/>`...)
	if failed > 0 {
		b = append(b, `<path class="spark-fail" d="`...)
		for i, h := range hours {
			if h.Failed > 0 {
				b = append(b, 'M')
				b = strconv.AppendInt(b, int64(i*sparkStep), 10)
				b = append(b, ' ')
				b = strconv.AppendInt(b, sparkMarkY, 10)
				b = append(b, "h3v4h-3z"...)
			}
		}
		b = append(b, `"/>`...)
	}
	return append(b, `</svg>`...)
}

// appendSparkPath draws the latency line with relative commands, merging
// level stretches into one "h".
func appendSparkPath(b []byte, hours []store.Bucket, slowest time.Duration) []byte {
	y := func(d time.Duration) int64 {
		if slowest <= 0 {
			return 1 + sparkLineH
		}
		return 1 + sparkLineH - (int64(sparkLineH)*int64(d)+int64(slowest)/2)/int64(slowest)
	}
	level := 0 // pending horizontal run, in pixels
	flush := func() {
		if level > 0 {
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(level), 10)
			level = 0
		}
	}
	for i := 0; i < len(hours); i++ {
		if hours[i].Runs == 0 {
			continue
		}
		x, cy := i*sparkStep+1, y(hours[i].P95)
		b = append(b, 'M')
		b = strconv.AppendInt(b, int64(x), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, cy, 10)
		if i+1 >= len(hours) || hours[i+1].Runs == 0 { // a lone hour: a short dash, so it shows
			b = append(b, "h1"...)
			continue
		}
		for ; i+1 < len(hours) && hours[i+1].Runs > 0; i++ {
			ny := y(hours[i+1].P95)
			if ny == cy {
				level += sparkStep
				continue
			}
			flush()
			b = append(b, 'l')
			b = strconv.AppendInt(b, sparkStep, 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, ny-cy, 10)
			cy = ny
		}
		flush()
	}
	return b
}

// appendSparkLabel says what the sparkline shows, e.g. "last 24 h: p95 per
// hour 2 ms to 30 ms; failed runs in 2 of 24 hours; no runs in 3 hours". It
// is numbers and fixed words only: nothing to escape.
func appendSparkLabel(b []byte, hours []store.Bucket, ran, failed int) []byte {
	lo, hi := time.Duration(-1), time.Duration(0)
	for _, h := range hours {
		if h.Runs > 0 {
			if lo < 0 || h.P95 < lo {
				lo = h.P95
			}
			hi = max(hi, h.P95)
		}
	}
	n := int64(len(hours))
	b = append(b, "last "...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, " h: p95 per hour "...)
	if lo != hi {
		b = append(appendMs(b, lo), " to "...)
	}
	b = appendMs(b, hi)
	if failed == 0 {
		b = append(b, "; no failed runs"...)
	} else {
		b = append(b, "; failed runs in "...)
		b = strconv.AppendInt(b, int64(failed), 10)
		b = append(b, " of "...)
		b = strconv.AppendInt(b, n, 10)
		b = append(b, " hours"...)
	}
	if idle := len(hours) - ran; idle > 0 {
		b = append(b, "; no runs in "...)
		b = strconv.AppendInt(b, int64(idle), 10)
		b = append(b, ' ')
		b = append(b, plural(idle, "hour", "hours")...)
	}
	return b
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
