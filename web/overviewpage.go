package web

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// rowsPerPage bounds the rows of one overview page. At 1,000 checks a page
// of every row was 1.5 MB; the overview instead shows every group with its
// failing checks and a line for the rest (collapse), and one group's checks
// a page at a time (paginate). The failing checks come first in both.
const rowsPerPage = 50

// needsAttention: the rows a collapsed overview still lists.
func needsAttention(r checkRow) bool { return r.Incident != nil || r.State == stateFailing }

// collapse keeps in each group only the rows that need attention, at most
// budget over the page (sections put those groups first), and moves the
// groups that keep rows first.
func collapse(secs []groupSection, budget int) {
	for i := range secs {
		all := secs[i].Rows
		keep := all[:0:0]
		for _, r := range all {
			if needsAttention(r) && budget > 0 {
				keep = append(keep, r)
				budget--
			}
		}
		secs[i].Rows, secs[i].More = keep, len(all)-len(keep)
	}
	quiet := func(g groupSection) int { return min(len(g.Rows), 1) * -1 }
	slices.SortStableFunc(secs, func(a, b groupSection) int { return cmp.Compare(quiet(a), quiet(b)) })
}

// pager is the page of one group's checks the overview shows.
type pager struct {
	Page, Pages        int    // 1-based; Pages is 0 or 1 when everything fits
	PrevHref, NextHref string // "" on the first and last page
	Range              string // "checks 51–100 of 334"
}

// parsePage reads ?page=; anything but a positive number is the first page.
func parsePage(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// paginate cuts a view that lists every row (one group, or few checks) to
// page p of rowsPerPage rows; a page past the end is the last.
func (v *overviewView) paginate(p int) {
	if v.Collapsed || len(v.Sections) != 1 || len(v.Sections[0].Rows) <= rowsPerPage {
		return
	}
	rows := v.Sections[0].Rows
	pages := (len(rows) + rowsPerPage - 1) / rowsPerPage
	p = min(p, pages)
	from, to := (p-1)*rowsPerPage, min(p*rowsPerPage, len(rows))
	v.Sections[0].Rows, v.Sections[0].More = rows[from:to], len(rows)-(to-from)
	v.Pager = pager{Page: p, Pages: pages,
		Range: "checks " + strconv.Itoa(from+1) + "–" + strconv.Itoa(to) + " of " + strconv.Itoa(len(rows))}
	if p > 1 {
		v.Pager.PrevHref = v.Filter.pageHref(p - 1)
	}
	if p < pages {
		v.Pager.NextHref = v.Filter.pageHref(p + 1)
	}
}

// pageHref is the filter's URL at page p.
func (f overviewFilter) pageHref(p int) string {
	h := f.href()
	if p <= 1 {
		return h
	}
	sep := "&"
	if h == "/" {
		sep = "?"
	}
	return h + sep + "page=" + strconv.Itoa(p)
}

// moreLine links a collapsed group's head to the rest of its checks.
func (g groupSection) moreLine() string {
	if len(g.Rows) == 0 {
		return "show"
	}
	return "show " + strconv.Itoa(g.More) + " more"
}

// maxOpenListed bounds the open incidents panel: with many open, the table
// below lists them with their reasons, and the panel must not push it off
// the first screen.
const maxOpenListed = 3

func firstOpen(rows []checkRow) []checkRow { return rows[:min(len(rows), maxOpenListed)] }

// kindList names the probe strip's marks in order.
func kindList(kinds []checks.ProbeKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
