package checks

import "strings"

// Ignored reports whether id is waived by a Check.Ignore list: an entry
// matches the id itself and its sub-ids ("B6" matches "B6.prefix").
func Ignored(id string, ignore []string) bool {
	for _, w := range ignore {
		if id == w || strings.HasPrefix(id, w+".") {
			return true
		}
	}
	return false
}

// waivedNote starts the Deviation of a waived assertion.
const waivedNote = "waived by this check's ignore list"

// Waived reports whether the assertion failed and passed only because the
// check's ignore list waives it.
func (a Assertion) Waived() bool { return a.Pass && strings.HasPrefix(a.Deviation, waivedNote) }

// waive turns the failed assertions a check ignores into passes that say
// so: the evidence keeps what was found, the run does not fail on it.
func waive(p *ProbeResult, ignore []string) {
	if len(ignore) == 0 {
		return
	}
	for i := range p.Assertions {
		a := &p.Assertions[i]
		if a.Pass || !Ignored(a.ID, ignore) {
			continue
		}
		a.Pass = true
		a.Deviation = waivedNote + "; it would fail: " + a.Reason
	}
}
