package alert

import (
	"fmt"
	"slices"

	"github.com/authmon/monitor/internal/checks"
)

// line is one regression in words, in plain text.
type line struct {
	text     string // "GET https://x/ without credentials: expected 401, got 200 OK"
	before   string // "before → now: 401 → 200 OK", or ""
	ref      string // "B1 · RFC 9110 §11.4"
	resolved bool
}

// oneLine is the line as part of a single-line text.
func (l line) oneLine() string {
	s := l.text
	if l.resolved {
		s = "resolved: " + s
	} else if l.before != "" {
		s += ", " + l.before
	}
	if l.ref != "" {
		s += " (" + l.ref + ")"
	}
	return s
}

// regressionLines describes at most maxFailures regressions and returns how
// many more there were.
func regressionLines(rs []Regression, resolved bool) ([]line, int) {
	n := min(len(rs), maxFailures)
	out := make([]line, 0, n)
	for _, r := range rs[:n] {
		l := line{text: failureText(r.Failure), ref: failureRef(r.Failure.Assertion), resolved: resolved}
		if r.Before != "" {
			l.before = fmt.Sprintf("before → now: %s → %s", clip(r.Before), clip(r.Failure.Assertion.Got))
		}
		out = append(out, l)
	}
	return out, len(rs) - n
}

// failureText is "<METHOD> <URL> <probe>: expected <Expected>, got <Got>",
// or the assertion's reason when it has neither value.
func failureText(f checks.Failure) string {
	a := f.Assertion
	detail := fmt.Sprintf("expected %s, got %s", clip(a.Expected), clip(a.Got))
	if a.Expected == "" && a.Got == "" {
		detail = clip(a.Reason)
	}
	return fmt.Sprintf("%s %s %s: %s", clip(f.Method), clip(f.URL), clip(f.Probe.Phrase()), detail)
}

// failureRef is "<ID> · <Ref>", or the ID alone.
func failureRef(a checks.Assertion) string {
	if a.Ref == "" {
		return clip(a.ID)
	}
	return clip(a.ID) + " · " + clip(a.Ref)
}

// added returns the regressions an update added, in incident order.
func added(ev Event) []Regression {
	var out []Regression
	for _, r := range ev.Regressions {
		if slices.Contains(ev.Added, r.Key) {
			out = append(out, r)
		}
	}
	return out
}

// changeText says what an update changed: "now also failing", "severity
// rose to …", or both.
func changeText(ev Event) string {
	switch {
	case len(ev.Added) == 0:
		return "severity rose to " + severityLabel(ev)
	case severityRose(ev):
		return "now also failing; severity rose to " + severityLabel(ev)
	default:
		return "now also failing"
	}
}

// severityRose infers whether an update raised the severity. The event does
// not say: it did if the added regressions alone reach the incident's
// severity and the earlier ones did not. An update without additions is
// only ever sent because the severity rose.
func severityRose(ev Event) bool {
	if len(ev.Added) == 0 {
		return true
	}
	worstNew, worstOld := checks.SevNone, checks.SevNone
	for _, r := range ev.Regressions {
		if slices.Contains(ev.Added, r.Key) {
			worstNew = max(worstNew, r.Failure.Assertion.Severity)
		} else {
			worstOld = max(worstOld, r.Failure.Assertion.Severity)
		}
	}
	return worstNew >= ev.Severity && worstNew > worstOld
}

// clip shortens s to maxField runes.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= maxField {
		return s
	}
	return string(r[:maxField-1]) + "…"
}
