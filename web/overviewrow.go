package web

import (
	"bytes"
	"context"
	"io"
	"time"

	"github.com/a-h/templ"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// rowsCheck writes the rows of one group of the checks table. It is Go, not
// templ: at 1,000 rows templ's per-element and per-attribute work took 20 ms
// of the page's 50 ms budget; this takes a few. Every value that comes from
// the config, the store or a target goes through appendEscaped; the rare
// parts (flapping and incident notes) are templ components.
//
// A row reads left to right in the order an on-call engineer asks: which
// check, its state, why it fails (the failing probes and the first reason),
// then the probe strip, the last runs, uptime, p95 and the last run, so the
// reason is on screen at 1,280 px.
func rowsCheck(rows []checkRow, kinds []checks.ProbeKind, now time.Time) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		rw := rowWriter{ctx: ctx, now: now, b: make([]byte, 0, 4096), titles: cellTitles(kinds)}
		for _, r := range rows {
			if err := rw.row(r); err != nil {
				return err
			}
			if _, err := w.Write(rw.b); err != nil {
				return err
			}
			rw.b = rw.b[:0]
		}
		return nil
	})
}

type rowWriter struct {
	ctx    context.Context
	now    time.Time
	b      []byte
	titles [][4]string // per column: escaped title of each mark but fail
	tmp    bytes.Buffer
}

// markIndex orders the marks in rowWriter.titles.
func markIndex(m mark) int {
	switch m {
	case markPass:
		return 0
	case markPending:
		return 1
	case markNone:
		return 2
	default:
		return 3
	}
}

// cellTitles escapes once per page the titles that do not depend on the row.
func cellTitles(kinds []checks.ProbeKind) [][4]string {
	out := make([][4]string, len(kinds))
	for i, k := range kinds {
		for _, m := range []mark{markPass, markPending, markNone} {
			out[i][markIndex(m)] = string(appendEscaped(nil, probeCell{Kind: k, Mark: m}.title()))
		}
	}
	return out
}

func (rw *rowWriter) str(s string) { rw.b = append(rw.b, s...) }
func (rw *rowWriter) esc(s string) { rw.b = appendEscaped(rw.b, s) }

// component appends a templ component's output.
func (rw *rowWriter) component(c templ.Component) error {
	rw.tmp.Reset()
	if err := c.Render(rw.ctx, &rw.tmp); err != nil {
		return err
	}
	rw.b = append(rw.b, rw.tmp.Bytes()...)
	return nil
}

func (rw *rowWriter) row(r checkRow) error {
	rw.str(`<tr class="check state-`)
	rw.str(string(r.State))
	rw.str(`" data-testid="check-row" data-check="`)
	rw.esc(r.Name)
	rw.str(`" data-state="`)
	rw.str(string(r.State))
	rw.str(`"><th scope="row" class="name"><a href="`)
	rw.esc(checkHref(r.Name))
	rw.str(`" data-testid="check-link">`)
	rw.esc(r.Name)
	rw.str(`</a> <code class="target" data-testid="target">`)
	rw.esc(r.Target)
	rw.str(`</code>`)
	if r.Insecure {
		rw.str(insecureMark)
	}
	rw.str(`</th><td class="state"><span class="badge state-`)
	rw.str(string(r.State))
	rw.str(`" data-testid="state">`)
	rw.str(r.State.icon())
	rw.str(" ")
	rw.str(string(r.State))
	rw.str(`</span>`)
	if r.Flapping || r.Incident != nil {
		if err := rw.component(stateNotes(r.Flapping, r.Incident)); err != nil {
			return err
		}
	}
	rw.str(`</td>`)
	rw.problem(r)
	rw.strip(r.Cells)
	rw.str(`<td class="runs" data-testid="runs">`)
	rw.b = appendRunBar(rw.b, r.Name, r.Runs)
	rw.str(`</td>`)
	rw.recent(r.Recent)
	rw.last(r.Last)
	rw.str(`</tr>`)
	return nil
}

// problem writes why a failing check fails in two lines: the worst
// severity, the probes that failed and how many other reasons there are
// (listed in the tooltip); then the first distinct reason on one line, in
// full in its tooltip.
func (rw *rowWriter) problem(r checkRow) {
	rw.str(`<td class="problem" data-testid="problem">`)
	if r.State != stateFailing || r.Last == nil {
		rw.str(`</td>`)
		return
	}
	rw.str(`<span class="why"><span class="severity">`)
	rw.esc(r.Last.Severity().String())
	rw.str(`</span> <span class="failed-probes" data-testid="failed-probes">`)
	n := 0
	for _, c := range r.Cells {
		if c.Mark == markFail {
			if n > 0 {
				rw.str(", ")
			}
			rw.esc(string(c.Kind))
			n++
		}
	}
	rw.str(`</span>`)
	lines, more := problemLines(r.Last.Result)
	if extra := len(lines) - 1 + more; extra > 0 {
		rw.str(` <span class="more" data-testid="more-reasons" title="`)
		for i, l := range lines[1:] {
			if i > 0 {
				rw.str("\n")
			}
			rw.esc(l)
		}
		rw.str(`">+`)
		rw.b = appendInt(rw.b, extra)
		rw.str(` more</span>`)
	}
	rw.str(`</span>`)
	if len(lines) > 0 {
		rw.str(`<span class="reason" data-testid="reason" title="`)
		rw.esc(lines[0])
		rw.str(`">`)
		rw.esc(lines[0])
		rw.str(`</span>`)
	}
	rw.str(`</td>`)
}

// strip writes the probe matrix of one row as a strip of marks: the
// check's own probes, in the page's column order, so the strip stays as
// short as the check (a probe it does not run has no mark, not a "n/a" in
// a column of its own). Each mark is an icon; its title and accessible
// label name the probe and the verdict, a failure's title its reasons.
func (rw *rowWriter) strip(cells []probeCell) {
	rw.str(`<td class="probes" data-testid="probes">`)
	for i, c := range cells {
		if c.Mark == markNone {
			continue
		}
		rw.str(`<span class="mk mark-`)
		rw.str(string(c.Mark))
		rw.str(`" data-testid="probe-`)
		rw.esc(string(c.Kind))
		rw.str(`" data-mark="`)
		rw.str(string(c.Mark))
		rw.str(`" role="img" aria-label="`)
		rw.esc(string(c.Kind))
		rw.str(`: `)
		rw.str(string(c.Mark))
		rw.str(`" title="`)
		if c.Mark == markFail {
			rw.esc(c.title())
		} else {
			rw.str(rw.titles[i][markIndex(c.Mark)])
		}
		rw.str(`">`)
		rw.str(c.Mark.icon())
		rw.str(`</span>`)
	}
	rw.str(`</td>`)
}

// last writes when the check last ran.
func (rw *rowWriter) last(run *store.Run) {
	if run == nil {
		rw.str(`<td class="last" data-testid="last-run">never</td>`)
		return
	}
	rw.str(`<td class="last" data-testid="last-run"><time datetime="`)
	rw.b = run.Started.UTC().AppendFormat(rw.b, time.RFC3339)
	rw.str(`" title="`)
	rw.b = run.Started.UTC().AppendFormat(rw.b, timeLayout)
	rw.str(`">`)
	rw.str(ago(rw.now, run.Started))
	rw.str(`</time></td>`)
}

// recent writes the uptime cell (24 h large, 7 d and 30 d below) and the
// p95 cell with the sparkline of the last 24 hours under it.
func (rw *rowWriter) recent(rec *store.CheckRecent) {
	if rec == nil {
		rw.str(`<td class="num uptime"><span class="u24" data-testid="uptime-24h">—</span><span class="u-more">` +
			`<span data-testid="uptime-7d">—</span> · <span data-testid="uptime-30d">—</span></span></td>` +
			`<td class="num trend"><span data-testid="p95">—</span><span class="spark-box" data-testid="sparkline"></span></td>`)
		return
	}
	rw.str(`<td class="num uptime">`)
	for i, c := range []struct {
		id, span string
		w        store.Window
	}{{"uptime-24h", "24 h", rec.Day}, {"uptime-7d", "7 d", rec.Week}, {"uptime-30d", "30 d", rec.Month}} {
		switch i {
		case 0:
			rw.str(`<span class="u24" data-testid="`)
		case 1:
			rw.str(`<span class="u-more"><span data-testid="`)
		default:
			rw.str(` · <span data-testid="`)
		}
		rw.str(c.id)
		rw.str(`" title="`)
		rw.b = appendUptimeTitle(rw.b, c.w, c.span) // numbers and fixed words
		rw.str(`">`)
		rw.b = appendUptime(rw.b, c.w)
		rw.str(`</span>`)
	}
	rw.str(`</span></td><td class="num trend"><span data-testid="p95">`)
	rw.str(p95Text(rec.Day))
	rw.str(`</span><span class="spark-box" data-testid="sparkline">`)
	rw.b = appendSparkline(rw.b, rec.Hours)
	rw.str(`</span></td>`)
}

// appendEscaped appends s escaped for HTML text and quoted attribute
// values, as html.EscapeString does, without allocating.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, rep...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// insecureMark flags a check with insecure_skip_verify on its row.
const insecureMark = ` <span class="badge insecure" data-testid="insecure" title="insecure_skip_verify = true: ` +
	`this check does not verify its target's TLS certificate">TLS not verified</span>`
