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
// parts (flapping and incident notes, failure reasons) are the templ
// components the check page uses too.
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
	rw.str(`</code></th><td class="state"><span class="badge state-`)
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
	rw.recent(r.Recent)
	for i, c := range r.Cells {
		rw.str(`<td class="probe mark-`)
		rw.str(string(c.Mark))
		rw.str(`" data-testid="probe-`)
		rw.esc(string(c.Kind))
		rw.str(`" data-mark="`)
		rw.str(string(c.Mark))
		rw.str(`" title="`)
		if c.Mark == markFail {
			rw.esc(c.title())
		} else {
			rw.str(rw.titles[i][markIndex(c.Mark)])
		}
		rw.str(`">`)
		rw.str(c.Mark.text())
		rw.str(`</td>`)
	}
	if r.Last != nil {
		rw.str(`<td class="last" data-testid="last-run"><time datetime="`)
		rw.b = r.Last.Started.UTC().AppendFormat(rw.b, time.RFC3339)
		rw.str(`" title="`)
		rw.b = r.Last.Started.UTC().AppendFormat(rw.b, timeLayout)
		rw.str(`">`)
		rw.str(ago(rw.now, r.Last.Started))
		rw.str(`</time></td>`)
	} else {
		rw.str(`<td class="last" data-testid="last-run">never</td>`)
	}
	rw.str(`<td class="problem" data-testid="problem">`)
	if r.State == stateFailing && r.Last != nil {
		rw.str(`<span class="severity">`)
		rw.esc(r.Last.Severity().String())
		rw.str(`</span>`)
		if err := rw.component(listReasons(problemLines(r.Last.Result))); err != nil {
			return err
		}
	}
	rw.str(`</td></tr>`)
	return nil
}

// recent writes the uptime, p95 and sparkline cells.
func (rw *rowWriter) recent(rec *store.CheckRecent) {
	if rec == nil {
		rw.str(`<td class="num" data-testid="uptime-24h">—</td><td class="num" data-testid="uptime-7d">—</td>` +
			`<td class="num" data-testid="uptime-30d">—</td><td class="num" data-testid="p95">—</td>` +
			`<td class="trend" data-testid="sparkline"></td>`)
		return
	}
	for _, c := range []struct {
		id, span string
		w        store.Window
	}{{"uptime-24h", "24 h", rec.Day}, {"uptime-7d", "7 d", rec.Week}, {"uptime-30d", "30 d", rec.Month}} {
		rw.str(`<td class="num" data-testid="`)
		rw.str(c.id)
		rw.str(`" title="`)
		rw.b = appendUptimeTitle(rw.b, c.w, c.span) // numbers and fixed words
		rw.str(`">`)
		rw.b = appendUptime(rw.b, c.w)
		rw.str(`</td>`)
	}
	rw.str(`<td class="num" data-testid="p95">`)
	rw.str(p95Text(rec.Day))
	rw.str(`</td><td class="trend" data-testid="sparkline">`)
	rw.b = appendSparkline(rw.b, rec.Hours)
	rw.str(`</td>`)
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
