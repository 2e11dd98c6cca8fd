package web

import (
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// matrixKinds are the matrix's columns: the probe kinds the listed checks
// run or last reported, in the order of checks.ProbeKinds, then of the other
// kinds' matrices, then any other by name.
func matrixKinds(rows []checkRow) []checks.ProbeKind {
	used := map[checks.ProbeKind]bool{}
	for _, r := range rows {
		for _, k := range r.kinds {
			used[k] = true
		}
		if r.Last != nil {
			for _, p := range r.Last.Probes {
				used[p.Kind] = true
			}
		}
	}
	var out []checks.ProbeKind
	for _, k := range knownKinds() {
		if used[k] {
			out = append(out, k)
			delete(used, k)
		}
	}
	rest := make([]checks.ProbeKind, 0, len(used))
	for k := range used {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// knownKinds is the column order: the protected-endpoint matrix, then the
// login, token and discovery ones.
func knownKinds() []checks.ProbeKind {
	out := slices.Clone(checks.ProbeKinds)
	for _, kind := range []checks.CheckKind{checks.KindLogin, checks.KindToken, checks.KindDiscovery, checks.KindOIDCLogin} {
		for _, k := range checks.KindProbes[kind] {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// probeCells fills a row of the matrix: per column the last run's verdict,
// pending for a configured probe before the check's first run, and "not
// configured" for a probe the check does not run or the last run left out.
func probeCells(r checkRow, kinds []checks.ProbeKind) []probeCell {
	cells := make([]probeCell, len(kinds))
	for i, kind := range kinds {
		cell := probeCell{Kind: kind, Mark: markNone}
		if slices.Contains(r.kinds, kind) && r.Last == nil {
			// Configured but never run. After a run, a configured probe
			// the run left out did not apply (a forged probe for a token
			// that is not a JWT; enumeration between its hourly runs).
			cell.Mark = markPending
		}
		if p, ok := probeOf(r.Last, kind); ok {
			cell.Mark = markPass
			if !p.Passed() {
				cell.Mark, cell.Reasons = markFail, failedReasons(p)
			}
		}
		cells[i] = cell
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
