package web

import (
	"context"
	"strconv"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// runBarLen is how many runs the overview's bar shows per check, oldest
// left: enough to see a flap or a trend, narrow enough to leave the reason
// on screen at 1,280 px.
const runBarLen = 30

// runMarker reads the latest runs of checks for the bars. The store has
// it; a store without it (an older fake) leaves the bars empty.
type runMarker interface {
	RunMarks(ctx context.Context, names []string, n int) (map[string][]store.RunMark, error)
}

// loadRunBars fills the bars of the rows the page shows, and only those:
// a collapsed group's checks cost nothing.
func (h *handler) loadRunBars(ctx context.Context, v *overviewView) error {
	rm, ok := h.Store.(runMarker)
	if !ok {
		return nil
	}
	var names []string
	for _, s := range v.Sections {
		for _, r := range s.Rows {
			names = append(names, r.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	marks, err := rm.RunMarks(ctx, names, runBarLen)
	if err != nil {
		return err
	}
	for i := range v.Sections {
		for j := range v.Sections[i].Rows {
			v.Sections[i].Rows[j].Runs = marks[v.Sections[i].Rows[j].Name]
		}
	}
	return nil
}

// appendRunBar writes a check's last runs (newest first in marks) as a bar
// of links, oldest left, each to its run on the check page. Shape and the
// title carry the outcome as well as colour: a passing run is a short bar,
// a failed one a full bar coloured by its severity; slots without a run yet
// are stubs. The links stay on the first page of runs for the newest one,
// and start the page at the run for the older ones (?before= the run after
// it), so each lands on its run's evidence.
func appendRunBar(b []byte, check string, marks []store.RunMark) []byte {
	if len(marks) == 0 {
		return b
	}
	failed := 0
	for _, m := range marks {
		if !m.Passed {
			failed++
		}
	}
	b = append(b, `<span class="runbar" role="group" aria-label="last `...)
	b = strconv.AppendInt(b, int64(len(marks)), 10)
	b = append(b, ` runs, `...)
	b = strconv.AppendInt(b, int64(failed), 10)
	b = append(b, ` failed">`...)
	for range runBarLen - len(marks) {
		b = append(b, `<span class="r r-none"></span>`...)
	}
	href := appendEscaped(nil, checkHref(check))
	for i := len(marks) - 1; i >= 0; i-- {
		m := marks[i]
		b = append(b, `<a class="r `...)
		b = append(b, runBarClass(m)...)
		b = append(b, `" href="`...)
		b = append(b, href...)
		// The page that starts at the run: before the next newer row (the
		// marks of one row of folded runs share it).
		newer := i - 1
		for newer >= 0 && marks[newer].ID == m.ID {
			newer--
		}
		if newer >= 0 {
			b = append(b, "?before="...)
			b = strconv.AppendInt(b, marks[newer].ID, 10)
		}
		b = append(b, "#run-"...)
		b = strconv.AppendInt(b, m.ID, 10)
		b = append(b, `" title="`...)
		b = m.Started.UTC().AppendFormat(b, timeLayout)
		if m.Runs > 1 {
			b = append(b, `–`...)
			b = m.Last.UTC().AppendFormat(b, timeLayout)
			b = append(b, `: `...)
			b = strconv.AppendInt(b, m.Runs, 10)
			b = append(b, ` runs with the same outcome`...)
		}
		if m.Passed {
			b = append(b, `: passed`...)
		} else {
			b = append(b, `: failed, `...)
			b = append(b, m.Severity.String()...)
		}
		b = append(b, `"></a>`...)
	}
	return append(b, `</span>`...)
}

// runBarClass colours a bar: pass, or the band of the failure's severity.
func runBarClass(m store.RunMark) string {
	switch {
	case m.Passed:
		return "r-pass"
	case m.Severity >= checks.SevHighSec:
		return "r-sec"
	case m.Severity >= checks.SevConf:
		return "r-fail"
	default:
		return "r-warn"
	}
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// worstTitle is the overview's page title, so a background tab tells the
// worst state: "✖ 3 failing", "… 2 pending" or "✔ 12 passing".
func worstTitle(rows []checkRow) (title string, worst state) {
	n := map[state]int{}
	for _, r := range rows {
		n[r.State]++
	}
	for _, s := range []state{stateFailing, statePending, statePassing} {
		if n[s] > 0 {
			return s.icon() + " " + strconv.Itoa(n[s]) + " " + string(s), s
		}
	}
	return "", ""
}
