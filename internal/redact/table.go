package redact

import (
	"slices"
	"strings"
)

// table is an immutable set of secrets ready for matching: every encoded
// form of every secret, a replacer that removes them, and a matcher that
// tells quickly whether a text holds any.
type table struct {
	forms []string // longest first
	rep   *strings.Replacer
	m     matcher
}

func newTable(secrets []string) *table {
	var all []string
	for _, s := range secrets {
		all = append(all, Forms(s)...)
	}
	// Longest first: a replacer takes the first listed match at a position,
	// so a form that contains another (a user:password pair and the
	// password) is removed whole.
	slices.SortFunc(all, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	all = slices.Compact(all)
	pairs := make([]string, 0, 2*len(all))
	for _, f := range all {
		pairs = append(pairs, f, Placeholder)
	}
	return &table{forms: all, rep: strings.NewReplacer(pairs...), m: newMatcher(all)}
}

// replace removes every form from s. The replacer copies whatever it is
// given, so the matcher looks first.
func (t *table) replace(s string) string {
	if !t.m.any(s) {
		return s
	}
	return t.rep.Replace(s)
}
