package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// overviewView is everything the overview page shows.
type overviewView struct {
	Now    time.Time
	Banner string     // the last config reload failed: what and why
	Open   []checkRow // rows with an open incident, worst first
	Rows   []checkRow
	Demo   *demoView // nil when the sample API is off
	Alerts []store.Notification
}

// checkRow is one line of the overview table.
type checkRow struct {
	Name     string
	Target   string // method and URL, secrets removed
	State    state
	Flapping bool
	Incident *alert.Incident // the open incident, if any
	Cells    []probeCell     // one per checks.ProbeKinds entry
	Last     *store.Run      // nil before the first run
}

// demoView is the sample API panel.
type demoView struct {
	Mode  string
	Modes []string
}

func (h *handler) getOverview(w http.ResponseWriter, r *http.Request) {
	sums, err := h.Store.Overview(r.Context())
	if err != nil {
		h.serverError(w, r, fmt.Errorf("load overview: %w", err))
		return
	}
	notes, err := h.Store.Notifications(r.Context(), alertsPerPage)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("load notifications: %w", err))
		return
	}
	rows := overviewRows(h.Checks(), sums)
	v := overviewView{Now: h.Now(), Open: withOpenIncident(rows), Rows: rows, Alerts: notes}
	_, v.Banner = h.configStatus()
	if h.Demo != nil {
		v.Demo = &demoView{Mode: h.Demo.Mode(), Modes: h.Demo.Modes()}
	}
	h.render(w, r, http.StatusOK, h.page("", pageOverview(v)))
}

// overviewRows lists every configured check with its stored state, failing
// checks first so that what needs attention is at the top. Checks that are in
// the store but no longer configured are left out: nobody can fix them here.
func overviewRows(cfg []checks.Check, sums []store.CheckSummary) []checkRow {
	byName := make(map[string]store.CheckSummary, len(sums))
	for _, s := range sums {
		byName[s.Name] = s
	}
	rows := make([]checkRow, 0, len(cfg))
	for _, c := range cfg {
		sum := byName[c.Name]
		rows = append(rows, checkRow{
			Name:     c.Name,
			Target:   c.Method + " " + redactURL(c.URL, c.Secrets),
			State:    stateOf(sum.State, sum.Last),
			Flapping: sum.State.Flapping,
			Incident: openIncident(sum.State),
			Cells:    probeCells(c, sum.Last),
			Last:     sum.Last,
		})
	}
	slices.SortFunc(rows, func(a, b checkRow) int {
		af, bf := a.State == stateFailing, b.State == stateFailing
		if af != bf {
			if af {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return rows
}

// openIncident is the check's incident if it is open.
func openIncident(st alert.State) *alert.Incident {
	if st.Incident == nil || !st.Incident.Open() {
		return nil
	}
	return st.Incident
}

// withOpenIncident picks the rows with an open incident for the panel above
// the table: the worst severity first, then the longest open.
func withOpenIncident(rows []checkRow) []checkRow {
	var open []checkRow
	for _, r := range rows {
		if r.Incident != nil {
			open = append(open, r)
		}
	}
	slices.SortStableFunc(open, func(a, b checkRow) int {
		return cmp.Or(cmp.Compare(b.Incident.Severity, a.Incident.Severity),
			a.Incident.Opened.Compare(b.Incident.Opened))
	})
	return open
}

// probeCells fills the matrix row of a check: the last run's verdict per probe
// kind, pending for a configured probe without a result, and none otherwise.
func probeCells(c checks.Check, last *store.Run) []probeCell {
	cells := make([]probeCell, 0, len(checks.ProbeKinds))
	for _, kind := range checks.ProbeKinds {
		cell := probeCell{Kind: kind, Mark: markNone}
		if slices.ContainsFunc(c.Probes, func(p checks.ProbeSpec) bool { return p.Kind == kind }) {
			cell.Mark = markPending
		}
		if p, ok := probeOf(last, kind); ok {
			cell.Mark, cell.Reasons = markPass, failedReasons(p)
			if !p.Passed() {
				cell.Mark = markFail
			}
		}
		cells = append(cells, cell)
	}
	return cells
}

func probeOf(run *store.Run, kind checks.ProbeKind) (checks.ProbeResult, bool) {
	if run == nil {
		return checks.ProbeResult{}, false
	}
	for _, p := range run.Probes {
		if p.Kind == kind {
			return p, true
		}
	}
	return checks.ProbeResult{}, false
}

func failedReasons(p checks.ProbeResult) string {
	var rs []string
	for _, a := range p.Assertions {
		if !a.Pass {
			rs = append(rs, a.Reason)
		}
	}
	return strings.Join(rs, "\n")
}

// stateOf prefers the alert state, which survives restarts, and falls back to
// the last run for a check whose state has not been written yet.
func stateOf(st alert.State, last *store.Run) state {
	switch {
	case st.Status == alert.StatusFailing:
		return stateFailing
	case st.Status == alert.StatusPassing:
		return statePassing
	case last == nil:
		return statePending
	case last.Passed():
		return statePassing
	default:
		return stateFailing
	}
}

// countLine is the sentence above the table, e.g. "3 checks: 2 passing, 1 failing".
func countLine(rows []checkRow) string {
	n := map[state]int{}
	for _, r := range rows {
		n[r.State]++
	}
	noun := "checks"
	if len(rows) == 1 {
		noun = "check"
	}
	s := fmt.Sprintf("%d %s: %d passing, %d failing", len(rows), noun, n[statePassing], n[stateFailing])
	if n[statePending] > 0 {
		s += fmt.Sprintf(", %d pending", n[statePending])
	}
	return s
}

// maxReasons is how many failure reasons a row of the overview lists; the
// check page has them all.
const maxReasons = 3

// problemLines lists a run's distinct failure reasons, at most maxReasons,
// and how many more there are.
func problemLines(res checks.Result) (lines []string, more int) {
	seen := map[string]bool{}
	for _, f := range res.Failures() {
		if seen[f.Assertion.Reason] {
			continue
		}
		seen[f.Assertion.Reason] = true
		if len(lines) < maxReasons {
			lines = append(lines, f.Assertion.Reason)
		} else {
			more++
		}
	}
	return lines, more
}
