package redact

import (
	"slices"
	"strings"
	"sync"
)

// table is an immutable set of secrets ready for matching: every encoded
// form of every secret, a replacer that removes them, and a matcher that
// tells quickly whether a text holds any.
type table struct {
	forms []string                 // longest first
	rep   func() *strings.Replacer // built on the first hit: most tables never see one
	m     matcher
	// starts indexes the forms at least partialMin long by their first
	// partialMin bytes, for tail.
	starts  map[string][]string
	longest int
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
	rep := sync.OnceValue(func() *strings.Replacer { return strings.NewReplacer(pairs...) })
	t := &table{forms: all, rep: rep, m: newMatcher(all), starts: map[string][]string{}}
	for _, f := range all {
		if len(f) > partialMin {
			t.starts[f[:partialMin]] = append(t.starts[f[:partialMin]], f)
			t.longest = max(t.longest, len(f))
		}
	}
	return t
}

// tail replaces the longest proper start (at least partialMin bytes) of a
// form that s ends with. It looks only at the last bytes of s that a form
// could start in, one map lookup each.
func (t *table) tail(s string) string {
	for p := max(0, len(s)-t.longest+1); p <= len(s)-partialMin; p++ {
		for _, f := range t.starts[s[p:p+partialMin]] {
			if len(s)-p < len(f) && strings.HasPrefix(f, s[p:]) {
				return s[:p] + Placeholder
			}
		}
	}
	return s
}

// replace removes every form from s. The replacer copies whatever it is
// given, so the matcher looks first.
func (t *table) replace(s string) string {
	if !t.m.any(s) {
		return s
	}
	return t.rep().Replace(s)
}
