package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/store"
)

// The charts are SVG drawn on the server: no script, and the CSP needs no
// inline style since every position is an attribute. Colours come from
// detail.css, so dark mode applies.

// chartSize is the drawing area of a latency chart in SVG units. The page
// carries a wide and a narrow drawing and the stylesheet shows one, so the
// labels keep a readable size on a phone without any script.
type chartSize struct {
	W, H                     float64
	Left, Right, Top, Bottom float64
	XTicks                   int
}

var (
	chartWide   = chartSize{W: 1000, H: 220, Left: 60, Right: 12, Top: 12, Bottom: 26, XTicks: 8}
	chartNarrow = chartSize{W: 340, H: 190, Left: 56, Right: 10, Top: 12, Bottom: 26, XTicks: 3}
)

// latencyChart is a drawn p50/p95 chart.
type latencyChart struct {
	Size     chartSize
	Span     span
	P50, P95 []string // polyline point lists, one per run of buckets with data
	Dots50   []point  // buckets with data between two empty ones
	Dots95   []point
	YTicks   []tick
	XTicks   []tick
	Hits     []hit // one per bucket, with its figures as a tooltip
	Runs     int64
	Summary  string
}

type point struct{ X, Y string }

type tick struct {
	Pos   string // x or y
	Label string
}

// hit is an invisible column over a bucket whose title the browser shows.
type hit struct {
	X, Y, W, H string
	Title      string
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func (c latencyChart) ViewBox() string { return "0 0 " + num(c.Size.W) + " " + num(c.Size.H) }
func (c latencyChart) X0() string      { return num(c.Size.Left) }
func (c latencyChart) X1() string      { return num(c.Size.W - c.Size.Right) }
func (c latencyChart) Y0() string      { return num(c.Size.H - c.Size.Bottom) }
func (c latencyChart) LabelX() string  { return num(c.Size.Left - 6) }
func (c latencyChart) LabelY() string  { return num(c.Size.H - 8) }
func (c latencyChart) Empty() bool     { return c.Runs == 0 }

// newLatencyChart draws the buckets' p50 and p95 on a scale up to a round
// number above the highest p95. Buckets without runs leave a gap.
func newLatencyChart(bs []store.Bucket, sp span, sz chartSize) latencyChart {
	c := latencyChart{Size: sz, Span: sp}
	if len(bs) == 0 {
		return c
	}
	var top time.Duration
	var worst store.Bucket
	for _, b := range bs {
		c.Runs += b.Runs
		if b.Runs > 0 && b.P95 >= top {
			top, worst = b.P95, b
		}
	}
	yMax := niceCeil(top)
	plotW, plotH := sz.W-sz.Left-sz.Right, sz.H-sz.Top-sz.Bottom
	step := plotW / float64(len(bs))
	x := func(i int) float64 { return sz.Left + (float64(i)+0.5)*step }
	y := func(d time.Duration) float64 { return sz.H - sz.Bottom - float64(d)/float64(yMax)*plotH }
	c.P50, c.Dots50 = lines(bs, x, func(b store.Bucket) float64 { return y(b.P50) })
	c.P95, c.Dots95 = lines(bs, x, func(b store.Bucket) float64 { return y(b.P95) })
	for _, frac := range []float64{0, 0.5, 1} {
		d := time.Duration(float64(yMax) * frac)
		c.YTicks = append(c.YTicks, tick{num(y(d)), axisMs(d)})
	}
	for _, i := range xTicks(bs, sp, sz.XTicks) {
		c.XTicks = append(c.XTicks, tick{num(x(i)), bucketLabel(bs[i].Start, sp.Step, sp.Length)})
	}
	for i, b := range bs {
		c.Hits = append(c.Hits, hit{num(sz.Left + float64(i)*step), num(sz.Top), num(step), num(plotH), bucketTitle(b, sp.Step)})
	}
	if c.Runs > 0 {
		c.Summary = fmt.Sprintf("%s in the last %s; the slowest %s had p95 %s (p50 %s).",
			runCount(c.Runs), sp.Label, stepName(sp.Step), ms(worst.P95), ms(worst.P50))
	}
	return c
}

// lines splits the buckets into polylines at every bucket without runs;
// a lone bucket becomes a dot, which a polyline of one point cannot draw.
func lines(bs []store.Bucket, x func(int) float64, y func(store.Bucket) float64) (polys []string, dots []point) {
	var cur []string
	flush := func(i int) {
		switch len(cur) {
		case 0:
		case 1:
			dots = append(dots, point{num(x(i - 1)), num(y(bs[i-1]))})
		default:
			polys = append(polys, strings.Join(cur, " "))
		}
		cur = nil
	}
	for i, b := range bs {
		if b.Runs == 0 {
			flush(i)
			continue
		}
		cur = append(cur, num(x(i))+","+num(y(b)))
	}
	flush(len(bs))
	return polys, dots
}

// xTicks picks the buckets to label, evenly spaced and ending at the
// newest. Over a week of hours only midnights are labelled, with the date.
func xTicks(bs []store.Bucket, sp span, most int) []int {
	var cand []int
	for i, b := range bs {
		if sp.Step == time.Hour && sp.Length > 24*time.Hour && b.Start.Hour() != 0 {
			continue
		}
		cand = append(cand, i)
	}
	every := max((len(cand)+most-1)/max(most, 1), 1)
	var out []int
	for j := len(cand) - 1; j >= 0; j -= every {
		out = append([]int{cand[j]}, out...)
	}
	return out
}

// runCount is "1 run", "2 runs".
func runCount(n int64) string {
	if n == 1 {
		return "1 run"
	}
	return strconv.FormatInt(n, 10) + " runs"
}

// niceCeil rounds a latency up to 1, 2 or 5 times a power of ten (in
// milliseconds, at least 1 ms), so the scale reads well.
func niceCeil(d time.Duration) time.Duration {
	m := max(float64(d)/float64(time.Millisecond), 1)
	p := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= m {
			return time.Duration(f * p * float64(time.Millisecond))
		}
	}
	return time.Duration(10 * p * float64(time.Millisecond))
}

// axisMs labels the y axis: "0", "250 ms", "1.5 s".
func axisMs(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
	default:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + " ms"
	}
}

// bucketLabel names a bucket on the x axis: the hour within a day, the
// date beyond.
func bucketLabel(t time.Time, step, length time.Duration) string {
	if step == time.Hour && length <= 24*time.Hour {
		return t.UTC().Format("15:04")
	}
	return t.UTC().Format("Jan 2")
}

func bucketTitle(b store.Bucket, step time.Duration) string {
	at := b.Start.UTC().Format("2006-01-02 15:04 UTC")
	if step >= 24*time.Hour {
		at = b.Start.UTC().Format("2006-01-02")
	}
	if b.Runs == 0 {
		return at + ": no runs"
	}
	return fmt.Sprintf("%s: p50 %s, p95 %s, %d runs, %d failed", at, ms(b.P50), ms(b.P95), b.Runs, b.Failed)
}

func stepName(step time.Duration) string {
	if step >= 24*time.Hour {
		return "day"
	}
	return "hour"
}
