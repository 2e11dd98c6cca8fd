package main

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// selectChecks picks the checks `monitor check` runs, in config order.
// A pattern is a check name or a glob over names ("sample *"); groups are
// group names. Given both, a check must match a pattern and be in a group.
// Nothing given selects every check. A name, pattern or group that selects
// nothing is an error, with the closest names when there are some: in a
// pipeline a typo must not pass as "no check failed".
func selectChecks(all []checks.Check, patterns, groups []string) ([]checks.Check, error) {
	byPattern, err := matchPatterns(all, patterns)
	if err != nil {
		return nil, err
	}
	inGroup, err := matchGroups(all, groups)
	if err != nil {
		return nil, err
	}
	var out []checks.Check
	for i, c := range all {
		if (len(patterns) == 0 || byPattern[i]) && (len(groups) == 0 || inGroup[i]) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no check matches both %s and -group %s",
			quoteList(patterns), quoteList(groups))
	}
	return out, nil
}

// matchPatterns marks the checks each pattern selects. An exact name wins
// over a glob reading, so a name holding '*' or '[' still selects itself.
func matchPatterns(all []checks.Check, patterns []string) ([]bool, error) {
	hit := make([]bool, len(all))
	for _, p := range patterns {
		n := 0
		for i, c := range all {
			ok, err := nameMatches(p, c.Name)
			if err != nil {
				return nil, fmt.Errorf("bad pattern %q: %w (globs use *, ? and [a-z])", p, err)
			}
			if ok {
				hit[i] = true
				n++
			}
		}
		if n == 0 {
			return nil, unknownName(p, all)
		}
	}
	return hit, nil
}

// nameMatches: the exact name, else the glob, both case-insensitively as
// names are unique that way.
func nameMatches(pattern, name string) (bool, error) {
	if strings.EqualFold(pattern, name) {
		return true, nil
	}
	if !strings.ContainsAny(pattern, "*?[") {
		return false, nil
	}
	return path.Match(strings.ToLower(pattern), strings.ToLower(name))
}

func unknownName(p string, all []checks.Check) error {
	names := make([]string, len(all))
	for i, c := range all {
		names[i] = c.Name
	}
	what := "no check named %q in the config"
	if strings.ContainsAny(p, "*?[") {
		what = "no check matches %q"
	}
	return errors.New(fmt.Sprintf(what, p) + didYouMean(p, names))
}

// matchGroups marks the checks of the named groups (case-insensitively).
func matchGroups(all []checks.Check, groups []string) ([]bool, error) {
	var known []string
	for _, c := range all {
		if c.Group != "" && !slices.Contains(known, c.Group) {
			known = append(known, c.Group)
		}
	}
	hit := make([]bool, len(all))
	for _, g := range groups {
		n := 0
		for i, c := range all {
			if c.Group != "" && strings.EqualFold(c.Group, g) {
				hit[i] = true
				n++
			}
		}
		if n > 0 {
			continue
		}
		if len(known) == 0 {
			return nil, fmt.Errorf("no group named %q: no check of the config sets group", g)
		}
		return nil, fmt.Errorf("no group named %q in the config%s (groups: %s)", g, didYouMean(g, known), quoteList(known))
	}
	return hit, nil
}

// didYouMean names up to three candidates close to what was typed: within
// a few edits, or containing it (case-insensitively); "" when none is.
func didYouMean(typed string, candidates []string) string {
	low := strings.ToLower(strings.Trim(typed, "*?[]"))
	type scored struct {
		name string
		d    int
	}
	var close []scored
	limit := max(2, len(low)/4)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(low, lc)
		if low != "" && strings.Contains(lc, low) {
			d = min(d, 1)
		}
		if r := []rune(lc); len([]rune(low)) >= 3 && len(r) > len([]rune(low)) &&
			editDistance(low, string(r[:len([]rune(low))])) <= 1 { // the start of a name, as a glob "wbe*" means
			d = min(d, limit)
		}
		if d <= limit {
			close = append(close, scored{c, d})
		}
	}
	if len(close) == 0 {
		return ""
	}
	slices.SortStableFunc(close, func(a, b scored) int { return a.d - b.d })
	var names []string
	for _, s := range close[:min(3, len(close))] {
		names = append(names, s.name)
	}
	return fmt.Sprintf(" (did you mean %s?)", strings.Join(quoteAll(names), " or "))
}

// editDistance counts the insertions, deletions, substitutions and swaps of
// two neighbours (the commonest typo) between two names, over runes. Long
// input is not compared: the cost is quadratic and no name is that long.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 {
		return max(len(ra), len(rb))
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func quoteList(ss []string) string { return strings.Join(quoteAll(ss), ", ") }
