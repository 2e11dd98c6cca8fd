package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a config file, located by line and key.
type Problem struct {
	File string
	Line int    // 1-based; 0 when the key is absent from the file
	Key  string // e.g. "check[1].auth.type"
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Key == "" {
		return loc + ": " + p.Msg
	}
	return loc + ": " + p.Key + ": " + p.Msg
}

// Problems is every problem found in one load, ordered by line. It is the
// error Load returns when the file is not valid.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// collector gathers problems, resolving key paths to lines.
type collector struct {
	file  string
	lines map[string]int
	out   Problems
	env   []envValue // values read from the environment, by key path
	// envIndex holds env's values under each key enclosing theirs; built
	// by envUnder once env is complete.
	envIndex map[string][]string
}

// add records a problem at key; when the key itself is absent from the file it
// points at the closest enclosing table that is present.
func (c *collector) add(key, format string, args ...any) {
	c.out = append(c.out, Problem{File: c.file, Line: c.lineOf(key), Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (c *collector) lineOf(key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if l, ok := c.lines[k]; ok {
			return l
		}
	}
	return 0
}

// has reports whether key is written in the file: a number written as 0
// is then an error rather than "not set".
func (c *collector) has(key string) bool {
	_, ok := c.lines[key]
	return ok
}

func parentKey(k string) string {
	i := strings.LastIndexAny(k, ".[")
	if i < 0 {
		return ""
	}
	return k[:i]
}

func (c *collector) err() error {
	if len(c.out) == 0 {
		return nil
	}
	sort.SliceStable(c.out, func(i, j int) bool { return c.out[i].Line < c.out[j].Line })
	return c.out
}
