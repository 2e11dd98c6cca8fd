package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/internal/store"
)

// overviewView is everything the overview page shows.
type overviewView struct {
	Now      time.Time
	Banner   string // the last config reload failed: what and why
	Fleet    string // this instance of a fleet is degraded or runs another config (fleetBanner)
	Filter   overviewFilter
	Ignored  string // a filter value that means nothing, said plainly
	States   []filterLink
	Groups   []filterLink // every group, for the group picker
	Total    int          // configured checks, whatever the filter
	Listed   []checkRow   // the checks the filter lets through
	Kinds    []checks.ProbeKind
	Open     []checkRow // listed rows with an open incident, worst first
	Sections []groupSection
	Demo     *demoView // nil when the sample API is off
	Alerts   []store.Notification
	Delivery string        // "Slack failing since …" while notifications fail
	Silences []silenceView // active now
	// Title is the worst state of every check, whatever the filter, for the
	// page title and favicon: "✖ 3 failing".
	Title string
	Worst state
	// Collapsed: too many checks to list, so groups show their failing
	// checks and a line for the rest (see collapse).
	Collapsed bool
	Pager     pager // pages of one group's checks
}

// groupSection is one group of the checks table.
type groupSection struct {
	Name  string
	Href  string     // the overview of this group alone
	Rows  []checkRow // the rows shown
	Count string     // countLine of every row of the group the filter lets through
	More  int        // rows of the group not shown here
}

// checkRow is one line of the overview table.
type checkRow struct {
	Name     string
	Group    string // its label: the configured group or ungroupedLabel
	Target   string // method and URL, secrets removed
	Insecure bool   // the check does not verify its target's certificate
	State    state
	Flapping bool
	Incident *alert.Incident // the open incident, if any
	Cells    []probeCell     // one per column of the matrix
	Last     *store.Run      // nil before the first run
	Recent   *store.CheckRecent
	Runs     []store.RunMark    // the latest runs, newest first, for the bar
	kinds    []checks.ProbeKind // configured probes
}

// demoView is the sample API panel.
type demoView struct {
	Mode  string
	Modes []string
}

func (h *handler) getOverview(w http.ResponseWriter, r *http.Request) {
	f, ignored := parseFilter(r.URL.Query())
	page := parsePage(r.URL.Query())
	now := h.Now()
	data, err := h.loadOverview(r.Context(), now)
	if err != nil {
		h.degradedOrError(w, r, err)
		return
	}
	all := overviewRows(overviewConfigs(h.Checks(), h.redactor()), data.sums, data.recent)
	v := newOverviewView(all, f, now)
	v.paginate(page)
	if err := h.loadRunBars(r.Context(), &v); err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Ignored, v.Alerts = ignored, data.notes
	v.Delivery, v.Silences = deliveryLine(data.sent, now), h.activeSilences("", now)
	_, v.Banner = h.configStatus()
	v.Fleet = h.fleetBanner()
	if h.Demo != nil {
		v.Demo = &demoView{Mode: h.Demo.Mode(), Modes: h.Demo.Modes()}
	}
	footer, _ := h.configStatus()
	h.render(w, r, http.StatusOK, layout(layoutView{Title: v.Title, Icon: v.Worst, Version: h.Version, Config: footer}, pageOverview(v)))
}

type overviewData struct {
	sums   []store.CheckSummary
	recent []store.CheckRecent
	notes  []store.Notification
	sent   store.DeliveryStatus
}

// loadOverview runs the page's three reads side by side: each takes its own
// connection of the read pool, and together they are most of the page's time.
func (h *handler) loadOverview(ctx context.Context, now time.Time) (overviewData, error) {
	var d overviewData
	var errs [4]error
	var wg sync.WaitGroup
	wg.Go(func() { d.recent, errs[1] = h.Store.Recent(ctx, now) })
	wg.Go(func() {
		d.notes, errs[2] = h.Store.Notifications(ctx, alertsPerPage)
		if errs[2] == nil {
			d.sent, errs[3] = h.Store.DeliveryStatus(ctx)
		}
	})
	d.sums, errs[0] = h.Store.Overview(ctx)
	wg.Wait()
	for i, what := range []string{"overview", "recent history", "notifications", "delivery status"} {
		if errs[i] != nil {
			return overviewData{}, fmt.Errorf("load %s: %w", what, errs[i])
		}
	}
	return d, nil
}

// overviewCheck is what the overview takes from a configured check.
type overviewCheck struct {
	Name, Group, Target string
	Kinds               []checks.ProbeKind
	Insecure            bool // insecure_skip_verify: marked on its row
}

// overviewConfigCache keeps overviewConfigs' answer for the config it was computed
// from: redacting 1,000 URLs on every page view is work for nothing, and a
// reload hands over a new slice, which misses the cache.
var overviewConfigCache struct {
	sync.Mutex
	first *checks.Check
	n     int
	out   []overviewCheck
}

func overviewConfigs(cfg []checks.Check, red *redact.Redactor) []overviewCheck {
	if len(cfg) == 0 {
		return nil
	}
	overviewConfigCache.Lock()
	defer overviewConfigCache.Unlock()
	if overviewConfigCache.first == &cfg[0] && overviewConfigCache.n == len(cfg) {
		return overviewConfigCache.out
	}
	out := make([]overviewCheck, len(cfg))
	for i, c := range cfg {
		out[i] = overviewCheck{Name: c.Name, Group: groupLabel(c.Group),
			Target: c.Method + " " + red.URL(c.URL), Insecure: c.Conn.InsecureSkipVerify}
		for _, p := range c.Probes {
			out[i].Kinds = append(out[i].Kinds, p.Kind)
		}
	}
	overviewConfigCache.first, overviewConfigCache.n, overviewConfigCache.out = &cfg[0], len(cfg), out
	return out
}

// ungroupedLabel names the checks without a group, in the table and in
// ?group= (so a config group of that name joins them).
const ungroupedLabel = "Ungrouped"

func groupLabel(g string) string {
	if g == "" {
		return ungroupedLabel
	}
	return g
}

// overviewRows lists every configured check with what the store knows of
// it. Checks in the store but no longer configured are left out: nobody can
// fix them here.
func overviewRows(cfg []overviewCheck, sums []store.CheckSummary, recent []store.CheckRecent) []checkRow {
	byName := make(map[string]*store.CheckSummary, len(sums))
	for i := range sums {
		byName[sums[i].Name] = &sums[i]
	}
	recentOf := make(map[string]*store.CheckRecent, len(recent))
	for i := range recent {
		recentOf[recent[i].Name] = &recent[i]
	}
	rows := make([]checkRow, len(cfg))
	for i, c := range cfg {
		row := checkRow{Name: c.Name, Group: c.Group, Target: c.Target, Insecure: c.Insecure, kinds: c.Kinds, Recent: recentOf[c.Name]}
		if sum := byName[c.Name]; sum != nil {
			row.Flapping, row.Incident, row.Last = sum.State.Flapping, openIncident(sum.State), sum.Last
			row.State = stateOf(sum.State, sum.Last)
		} else {
			row.State = statePending
		}
		rows[i] = row
	}
	return rows
}

// newOverviewView filters the rows, groups them and fills the matrix.
func newOverviewView(all []checkRow, f overviewFilter, now time.Time) overviewView {
	v := overviewView{Now: now, Filter: f, Total: len(all)}
	inGroup := all // read only: no copy without a group filter
	if f.Group != "" {
		inGroup = nil
	}
	groups := map[string]int{}
	for _, r := range all {
		groups[r.Group]++
		if f.Group != "" && r.Group == f.Group {
			inGroup = append(inGroup, r)
		}
	}
	v.States = stateLinks(inGroup, f)
	v.Groups = groupLinks(groups, f)
	v.Listed = make([]checkRow, 0, len(inGroup)) // a row is large: growing the slice copied tens of MB at 10,000 checks
	for _, r := range inGroup {
		if f.State == "" || r.State == f.State {
			v.Listed = append(v.Listed, r)
		}
	}
	slices.SortFunc(v.Listed, compareRows)
	v.Kinds = matrixKinds(v.Listed)
	for i := range v.Listed {
		v.Listed[i].Cells = probeCells(v.Listed[i], v.Kinds)
	}
	v.Open = withOpenIncident(v.Listed)
	v.Sections = sections(v.Listed, f)
	v.Title, v.Worst = worstTitle(all)
	if f.Group == "" && len(v.Listed) > rowsPerPage {
		v.Collapsed = true
		collapse(v.Sections, rowsPerPage)
	}
	return v
}

// compareRows puts what needs attention first: an open incident, then a
// failing state; then by name.
func compareRows(a, b checkRow) int {
	rank := func(r checkRow) int {
		switch {
		case r.Incident != nil:
			return 0
		case r.State == stateFailing:
			return 1
		default:
			return 2
		}
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Name, b.Name))
}

// sections groups sorted rows by group: the groups with a check that needs
// attention first, so a failing check is on the first screen whatever its
// group's name; then in name order, the ungrouped checks last.
func sections(rows []checkRow, f overviewFilter) []groupSection {
	idx := map[string]int{}
	var out []groupSection
	var sizes []int
	for _, r := range rows {
		i, ok := idx[r.Group]
		if !ok {
			i = len(out)
			idx[r.Group] = i
			out = append(out, groupSection{Name: r.Group, Href: overviewFilter{State: f.State, Group: r.Group}.href()})
			sizes = append(sizes, 0)
		}
		sizes[i]++
	}
	for i := range out {
		out[i].Rows = make([]checkRow, 0, sizes[i]) // sized first, as Listed
	}
	for _, r := range rows {
		i := idx[r.Group]
		out[i].Rows = append(out[i].Rows, r)
	}
	for i := range out {
		out[i].Count = countLine(out[i].Rows)
	}
	calm := func(g groupSection) int {
		if slices.ContainsFunc(g.Rows, needsAttention) {
			return 0
		}
		return 1
	}
	slices.SortFunc(out, func(a, b groupSection) int {
		return cmp.Or(cmp.Compare(calm(a), calm(b)), compareGroups(a.Name, b.Name))
	})
	return out
}

func compareGroups(a, b string) int {
	if (a == ungroupedLabel) != (b == ungroupedLabel) {
		if a == ungroupedLabel {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
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
	s := fmt.Sprintf("%d %s: %d passing, %d failing", len(rows), plural(len(rows), "check", "checks"),
		n[statePassing], n[stateFailing])
	if n[statePending] > 0 {
		s += fmt.Sprintf(", %d pending", n[statePending])
	}
	return s
}

// listedLine says how many checks the filter shows, e.g. "12 of 1000 checks
// shown", or nothing without a filter.
func (v overviewView) listedLine() string {
	if v.Filter == (overviewFilter{}) {
		return ""
	}
	return strconv.Itoa(len(v.Listed)) + " of " + strconv.Itoa(v.Total) + " " + plural(v.Total, "check", "checks") + " shown"
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
