package web

import (
	"strconv"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// A check page lists each run as a summary (verdict, the status of each
// probe, the failed assertions' reasons) and leaves the full evidence
// (headers, bodies, timings, assertion tables: about 20 KB of HTML a run) to
// its own route, fetched when someone opens it: fifty runs of it made the
// page a megabyte.

// evidenceHref is the page (or, asked with HX-Request, the fragment) with
// the full evidence of one run.
func evidenceHref(check string, id int64) string {
	return checkHref(check) + "/runs/" + strconv.FormatInt(id, 10) + "/evidence"
}

// evidenceAnchor is the id of a run's evidence <details>: live.js keeps
// it open across a refresh, evidence.js loads it again from its cache.
func evidenceAnchor(id int64) string { return runAnchor(id) + "-evidence" }

// inlineEvidence says whether a run's evidence is in the check page itself:
// only the newest run's, and only when it failed, since that is what
// someone opening the page of a red check came to read.
func inlineEvidence(run store.Run, newest bool) bool { return newest && !run.Passed() }

// probeStatus is a probe's outcome in a few characters: the status code,
// or why there is none.
func probeStatus(p checks.ProbeResult) string {
	switch {
	case p.Skipped != "":
		return "not sent"
	case p.Status == 0:
		return "no response"
	case p.RateLimited:
		return strconv.Itoa(p.Status) + " rate limited"
	default:
		return strconv.Itoa(p.Status)
	}
}

// probeSummary is a probe's line in a run's summary, for a title and an
// accessible label: its kind, outcome and status.
// A probe that was not sent says why (a rate limit, the failed-login
// budget): that is the summary's only trace of it.
func probeSummary(p checks.ProbeResult) string {
	if p.Skipped != "" {
		return string(p.Kind) + ": not sent, " + p.Skipped
	}
	return string(p.Kind) + ": " + probeMark(p) + ", " + statusLine(p)
}

// passGlyph is the mark alone, where the probe's kind follows it.
func passGlyph(ok bool) string {
	if ok {
		return "✔"
	}
	return "✖"
}
