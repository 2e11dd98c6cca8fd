package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// uptimeDayCount is how many days of uptime bars a check's page shows.
const uptimeDayCount = 30

// uptimeDays are the daily uptime bars. Shape carries the meaning as well as
// colour: a full bar is a day without a failure, a shorter one a day with
// failures, a stub a day without runs; the sentence below names the days.
type uptimeDays struct {
	Bars    []uptimeBar
	Total   string   // "99.93 % over 30 days (43,200 runs)"
	Bad     []string // days with failures, worst first: "2026-02-12: 99.31 %"
	MoreBad int
	First   string // the first day's date, for the axis
}

type uptimeBar struct {
	X, Y, H string
	Class   string
	Title   string
}

const (
	barW, barGap, barH = 8.0, 2.0, 40.0
	maxBadDays         = 5
)

func newUptimeDays(bs []store.Bucket) uptimeDays {
	var u uptimeDays
	var runs, failed int64
	var bad []store.Bucket
	for i, b := range bs {
		h, class := barH, "day-up"
		title := b.Start.Format("2006-01-02") + ": "
		switch {
		case b.Runs == 0:
			h, class, title = 6, "day-none", title+"no runs"
		case b.Failed > 0:
			h, class = barH*0.6, "day-down"
			title += fmt.Sprintf("%s uptime, %d of %d runs failed", percent(b.Uptime()), b.Failed, b.Runs)
			bad = append(bad, b)
		default:
			title += fmt.Sprintf("100 %% uptime, %d runs", b.Runs)
		}
		u.Bars = append(u.Bars, uptimeBar{num(float64(i) * (barW + barGap)), num(barH - h), num(h), class, title})
		runs, failed = runs+b.Runs, failed+b.Failed
	}
	if len(bs) > 0 {
		u.First = bs[0].Start.Format("Jan 2")
	}
	if runs > 0 {
		u.Total = fmt.Sprintf("%s over %d days (%s, %d failed)",
			percent(store.Window{Runs: runs, Failed: failed}.Uptime()), len(bs), runCount(runs), failed)
	}
	sortWorst(bad)
	for i, b := range bad {
		if i == maxBadDays {
			u.MoreBad = len(bad) - maxBadDays
			break
		}
		u.Bad = append(u.Bad, b.Start.Format("2006-01-02")+": "+percent(b.Uptime()))
	}
	return u
}

// Summary says in words what the bars show.
func (u uptimeDays) Summary() string {
	if u.Total == "" {
		return "No runs in the last 30 days."
	}
	if len(u.Bad) == 0 {
		return u.Total + ". No day with a failure."
	}
	s := u.Total + ". Days with failures: " + strings.Join(u.Bad, ", ")
	if u.MoreBad > 0 {
		s += fmt.Sprintf(" and %d more", u.MoreBad)
	}
	return s + "."
}

// ViewBox fits the bars exactly.
func (u uptimeDays) ViewBox() string {
	return "0 0 " + num(float64(len(u.Bars))*(barW+barGap)-barGap) + " " + num(barH)
}

func (uptimeDays) BarW() string { return num(barW) }

// sortWorst orders days by uptime, lowest first, then by date (insertion
// sort: at most 30 days).
func sortWorst(bs []store.Bucket) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].Uptime() < bs[j-1].Uptime(); j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

func percent(p float64) string { return strconv.FormatFloat(p, 'f', 2, 64) + " %" }

// waterfall is where a probe's time went, one bar per phase on a common
// scale: DNS, connect, TLS, waiting for the first byte, and the rest
// (writing the request, reading the body).
type waterfall struct {
	Phases []phase
	Total  time.Duration
	Reused bool
}

type phase struct {
	Name  string
	X, W  string // in a 0..1000 wide box
	Dur   time.Duration
	Class string
}

// newWaterfall lays out the phases; false when no timing was recorded
// (evidence older than phase timing).
func newWaterfall(t checks.Timing) (waterfall, bool) {
	if t.Total <= 0 {
		return waterfall{}, false
	}
	w := waterfall{Total: t.Total, Reused: t.Reused}
	rest := max(t.Total-t.DNS-t.Connect-t.TLS-t.FirstByte, 0)
	var at time.Duration
	for _, p := range []struct {
		name, class string
		d           time.Duration
	}{
		{"DNS", "ph-dns", t.DNS}, {"Connect", "ph-connect", t.Connect}, {"TLS", "ph-tls", t.TLS},
		{"First byte", "ph-wait", t.FirstByte}, {"Rest", "ph-rest", rest},
	} {
		x, width := 1000*float64(at)/float64(t.Total), 1000*float64(p.d)/float64(t.Total)
		if p.d > 0 {
			width = max(width, 3) // a phase that happened stays visible
		}
		w.Phases = append(w.Phases, phase{p.name, num(min(x, 997)), num(width), p.d, p.class})
		at += p.d
	}
	return w, true
}

// phaseText is a phase's duration, or a dash for one that did not happen.
func phaseText(p phase) string {
	if p.Dur <= 0 {
		return "—"
	}
	return ms(p.Dur)
}
