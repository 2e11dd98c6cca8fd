package alert

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// DefaultQuorum is how many fresh locations must see an availability or
// conformance failure before it counts, unless a check sets its own quorum
// (capped at the number of fresh locations).
const DefaultQuorum = 2

// LocationVerdict is one location's latest run of a check.
type LocationVerdict struct {
	Location string
	At       time.Time            // when the run started
	Probes   []checks.ProbeResult // its failed assertions at least
}

// FleetRule is how a check's locations vote.
type FleetRule struct {
	// Locations are the check's locations: configured, or every location
	// the fleet knows. Empty: those that have results.
	Locations []string
	Quorum    int // 0: DefaultQuorum
	// StaleAfter: a location whose latest run started longer ago than this
	// (before the deciding run) is stale; it never votes.
	StaleAfter time.Duration
}

// LocationStatus is how one location sees a check, in notifications.
type LocationStatus struct {
	Location string `json:"location"`
	// Status is "failing", "passing" or "stale" (no fresh result: the
	// location is partitioned or has no live instance).
	Status string    `json:"status"`
	At     time.Time `json:"at,omitempty"` // its latest run
}

// Aggregate turns a run from one location into the run the fleet decides
// on, given the latest verdict of every location (the run's own included
// or not): a failure of high-security severity or worse counts when any one
// fresh location sees it, and opens an incident at once when critical (as
// Decide does for one monitor); an availability or conformance failure
// counts only when a quorum of fresh locations sees it, otherwise it is
// kept as passing with a note. Failures seen only by other locations are
// added, so that one location's clean run never resolves what another
// still sees. Every counted failure's reason names the locations that see
// it. It also returns each location's status.
func Aggregate(res checks.Result, locs []LocationVerdict, r FleetRule) (checks.Result, []LocationStatus) {
	now := res.Started
	fresh := map[string]LocationVerdict{res.Location: {Location: res.Location, At: res.Started, Probes: res.Probes}}
	known := map[string]LocationVerdict{}
	for _, l := range locs {
		known[l.Location] = l
		if l.Location != res.Location && r.StaleAfter > 0 && now.Sub(l.At) <= r.StaleAfter {
			fresh[l.Location] = l
		}
	}
	names := slices.Clone(r.Locations)
	if len(names) == 0 {
		for n := range known {
			names = append(names, n)
		}
	}
	if !slices.Contains(names, res.Location) {
		names = append(names, res.Location)
	}
	sort.Strings(names)
	var status []LocationStatus
	for _, n := range names {
		v, ok := fresh[n]
		switch {
		case !ok:
			status = append(status, LocationStatus{Location: n, Status: "stale", At: known[n].At})
		case !(checks.Result{Probes: v.Probes}).Passed():
			status = append(status, LocationStatus{Location: n, Status: "failing", At: v.At})
		default:
			status = append(status, LocationStatus{Location: n, Status: "passing", At: v.At})
		}
	}
	for n := range fresh { // a location that is not (or no longer) the check's does not vote
		if !slices.Contains(names, n) {
			delete(fresh, n)
		}
	}
	quorum := r.Quorum
	if quorum <= 0 {
		quorum = DefaultQuorum
	}
	quorum = max(1, min(quorum, len(fresh)))

	seenBy := map[string][]string{} // failure key -> fresh locations that see it
	for _, n := range names {
		v, ok := fresh[n]
		if !ok {
			continue
		}
		for _, p := range v.Probes {
			for _, a := range p.Assertions {
				if !a.Pass {
					k := locKey(p, a)
					if !slices.Contains(seenBy[k], n) {
						seenBy[k] = append(seenBy[k], n)
					}
				}
			}
		}
	}
	counts := func(a checks.Assertion, k string) bool {
		return a.Severity >= checks.SevHighSec || len(seenBy[k]) >= quorum
	}
	multi := len(names) > 1
	out := res
	out.Probes = make([]checks.ProbeResult, len(res.Probes))
	own := map[string]bool{}
	for i, p := range res.Probes {
		p.Assertions = slices.Clone(p.Assertions)
		for j, a := range p.Assertions {
			if a.Pass {
				continue
			}
			k := locKey(p, a)
			own[k] = true
			switch {
			case !counts(a, k):
				a.Pass = true
				a.Deviation = "failing only from " + strings.Join(seenBy[k], ", ") + " (" + strconv.Itoa(len(seenBy[k])) +
					" of " + strconv.Itoa(len(fresh)) + " fresh locations; the quorum is " + strconv.Itoa(quorum) + "): " + a.Reason
			case multi:
				a.Reason = "from " + strings.Join(seenBy[k], ", ") + ": " + a.Reason
			}
			p.Assertions[j] = a
		}
		out.Probes[i] = p
	}
	for _, n := range names {
		v, ok := fresh[n]
		if !ok || n == res.Location {
			continue
		}
		for _, p := range v.Probes {
			var add []checks.Assertion
			for _, a := range p.Assertions {
				k := locKey(p, a)
				if a.Pass || own[k] || !counts(a, k) {
					continue
				}
				own[k] = true
				a.Reason = "from " + strings.Join(seenBy[k], ", ") + ": " + a.Reason
				add = append(add, a)
			}
			if len(add) > 0 {
				out.Probes = append(out.Probes, checks.ProbeResult{Kind: p.Kind, Method: p.Method, URL: p.URL, Assertions: add})
			}
		}
	}
	return out, status
}

// locKey identifies one failure across locations: the probe and the
// assertion, not what was answered.
func locKey(p checks.ProbeResult, a checks.Assertion) string {
	return string(p.Kind) + " " + p.Method + " " + p.URL + " " + a.ID
}
