package web

import (
	"strconv"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// The helpers below pair a text mark with a class: the class colours, the
// text says the same thing for people who do not see the colour.

func runMark(r store.Run) string { return passMark(r.Passed()) }

func runClass(r store.Run) string { return passClass(r.Passed()) }

// foldNote says what else a row of folded runs (store.Run.Repeats) stands
// for: the later passing runs with the same outcome.
func foldNote(r store.Run) string {
	return "+" + strconv.FormatInt(r.Repeats, 10) + plural(int(r.Repeats), " more run", " more runs") +
		", same outcome, until " + fmtTime(r.LastStarted) +
		", slowest " + ms(r.MaxDuration)
}

func probeMark(p checks.ProbeResult) string { return passMark(p.Passed()) }

func probeClass(p checks.ProbeResult) string { return passClass(p.Passed()) }

func assertionMark(a checks.Assertion) string { return passMark(a.Pass) }

func assertionClass(a checks.Assertion) string { return passClass(a.Pass) }

func passMark(ok bool) string {
	if ok {
		return "✔ pass"
	}
	return "✖ fail"
}

func passClass(ok bool) string {
	if ok {
		return "pass"
	}
	return "fail"
}

func passAttr(ok bool) string { return strconv.FormatBool(ok) }

// icon is a mark of the overview's probe strip: the title and the
// accessible label beside it say the probe and the verdict in words.
func (m mark) icon() string {
	switch m {
	case markPass:
		return "✔"
	case markFail:
		return "✖"
	case markPending:
		return "…"
	default:
		return "·"
	}
}
