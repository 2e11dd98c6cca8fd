package web

import (
	"net/url"
	"slices"
	"strconv"
)

// overviewFilter is what ?state= and ?group= ask the overview to show. The
// filter lives in the URL only, so a filtered view is a link anyone can
// bookmark or paste into Slack, and it works with JavaScript off.
type overviewFilter struct {
	State state  // "" for every state
	Group string // a group's label (ungroupedLabel for none); "" for every group
}

// parseFilter reads the query. A state it does not know is ignored, with a
// sentence saying so; an unknown group simply matches nothing.
func parseFilter(q url.Values) (f overviewFilter, ignored string) {
	f.Group = q.Get("group")
	switch s := state(q.Get("state")); s {
	case "", statePassing, stateFailing, statePending:
		f.State = s
	default:
		ignored = "Unknown state " + strconv.Quote(string(s)) + ": showing every state (use failing, passing or pending)."
	}
	return f, ignored
}

// href is the overview's URL for the filter.
func (f overviewFilter) href() string {
	q := url.Values{}
	if f.State != "" {
		q.Set("state", string(f.State))
	}
	if f.Group != "" {
		q.Set("group", f.Group)
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// filterLink is one choice of a filter, with how many checks it shows.
type filterLink struct {
	Label   string
	Value   string
	Count   int
	Href    string
	Current bool
}

// stateLinks are "All", "Failing", "Passing" and "Pending", counted within
// the current group.
func stateLinks(rows []checkRow, f overviewFilter) []filterLink {
	n := map[state]int{}
	for _, r := range rows {
		n[r.State]++
	}
	links := []filterLink{{Label: "All", Count: len(rows)}}
	for _, s := range []state{stateFailing, statePassing, statePending} {
		links = append(links, filterLink{Label: s.icon() + " " + capitalize(string(s)), Value: string(s), Count: n[s]})
	}
	for i := range links {
		links[i].Current = links[i].Value == string(f.State)
		links[i].Href = overviewFilter{State: state(links[i].Value), Group: f.Group}.href()
	}
	return links
}

// groupLinks lists every group (for the picker) with its number of checks,
// in the table's order.
func groupLinks(counts map[string]int, f overviewFilter) []filterLink {
	names := make([]string, 0, len(counts))
	for g := range counts {
		names = append(names, g)
	}
	slices.SortFunc(names, compareGroups)
	links := make([]filterLink, len(names))
	for i, g := range names {
		links[i] = filterLink{Label: g, Value: g, Count: counts[g], Current: g == f.Group,
			Href: overviewFilter{State: f.State, Group: g}.href()}
	}
	return links
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
