package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// StatusPage is the [status_page] section: a public page for customers,
// served without login at /status and /status.json. It shows only the
// components named here, under their customer-facing names.
type StatusPage struct {
	Title string
	// Cache is how long one rendering of the page is served before the
	// store is read again.
	Cache      time.Duration
	Components []StatusComponent
}

// StatusComponent is one line of the status page: a customer-facing name
// for a set of checks. Checks holds the check names, groups expanded, in
// the order of the file.
type StatusComponent struct {
	Name        string
	Description string
	Checks      []string
}

// Defaults and bounds of [status_page].
const (
	DefaultStatusTitle = "Service status"
	DefaultStatusCache = 30 * time.Second
	maxStatusText      = 200
)

type statusPageSection struct {
	Title      string                   `toml:"title"`
	Cache      duration                 `toml:"cache"`
	Components []statusComponentSection `toml:"component"`
}

type statusComponentSection struct {
	Name        string   `toml:"name"`
	Description string   `toml:"description"`
	Checks      []string `toml:"checks"`
	Groups      []string `toml:"groups"`
}

// buildStatusPage validates [status_page] against the checks; a missing
// section is nil: the page is off (404).
func buildStatusPage(c *collector, s *statusPageSection, list []checks.Check) *StatusPage {
	if s == nil {
		return nil
	}
	p := &StatusPage{Title: DefaultStatusTitle, Cache: DefaultStatusCache}
	if s.Title != "" {
		p.Title = s.Title
		statusText(c, "status_page.title", s.Title)
	}
	if s.Cache.set {
		p.Cache = s.Cache.Duration
		if p.Cache < time.Second {
			c.add("status_page.cache", "at least \"1s\": the page is rendered at most once per cache period")
		}
	}
	if len(s.Components) == 0 {
		c.add("status_page", "add at least one [[status_page.component]] with a name and the checks or groups it stands for")
	}
	idx := newCheckIndex(list)
	seen := map[string]string{}
	for i, cs := range s.Components {
		key := "status_page.component[" + itoa(i) + "]"
		comp := StatusComponent{Name: cs.Name, Description: cs.Description}
		statusName(c, key+".name", cs.Name, seen)
		if cs.Description != "" {
			statusText(c, key+".description", cs.Description)
		}
		comp.Checks = idx.resolve(c, key, cs)
		p.Components = append(p.Components, comp)
	}
	return p
}

// statusName checks a component's customer-facing name.
func statusName(c *collector, key, name string, seen map[string]string) {
	if name == "" {
		c.add(key, "required: the name customers see, e.g. \"Login\"")
		return
	}
	statusText(c, key, name)
	if prev, dup := seen[strings.ToLower(name)]; dup {
		c.add(key, "duplicate component name %q (first used by %s)", name, prev)
	}
	seen[strings.ToLower(name)] = key
}

// statusText checks a text shown to customers.
func statusText(c *collector, key, s string) {
	switch {
	case len(s) > maxStatusText:
		c.add(key, "longer than %d characters", maxStatusText)
	case strings.IndexFunc(s, isControl) >= 0:
		c.add(key, "contains a control character")
	}
}

// checkIndex finds checks by name and by group, case-sensitively as the
// rest of the file does, and suggests the closest name for a typo.
type checkIndex struct {
	byName  map[string]bool
	byGroup map[string][]string
	// suggested bounds the did-you-mean searches, which compare the name
	// with every check, so that loading stays linear.
	suggested int
}

func newCheckIndex(list []checks.Check) *checkIndex {
	ix := &checkIndex{byName: map[string]bool{}, byGroup: map[string][]string{}}
	for _, ch := range list {
		ix.byName[ch.Name] = true
		if ch.Group != "" {
			ix.byGroup[ch.Group] = append(ix.byGroup[ch.Group], ch.Name)
		}
	}
	return ix
}

// resolve returns the checks a component stands for, each once.
func (ix *checkIndex) resolve(c *collector, key string, cs statusComponentSection) []string {
	if len(cs.Checks) == 0 && len(cs.Groups) == 0 {
		c.add(key, "name the checks (checks = [\"...\"]) or groups (groups = [\"...\"]) this component stands for")
	}
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for i, name := range cs.Checks {
		if !ix.byName[name] {
			c.add(key+".checks["+itoa(i)+"]", "no check named %q%s", name, hint(ix, name, ix.byName, "[[check]] name"))
			continue
		}
		add(name)
	}
	for i, g := range cs.Groups {
		members, ok := ix.byGroup[g]
		if !ok {
			c.add(key+".groups["+itoa(i)+"]", "no check has group = %q%s", g, hint(ix, g, ix.byGroup, "group"))
			continue
		}
		for _, name := range members {
			add(name)
		}
	}
	return out
}

// hint is the did-you-mean of an unknown name, or where names come from.
func hint[V any](ix *checkIndex, name string, known map[string]V, what string) string {
	if ix.suggested < maxSuggestions {
		ix.suggested++
		if best := closest(name, known); best != "" {
			return fmt.Sprintf(" (did you mean %q?)", best)
		}
	}
	return " (see the " + what + "s in this file)"
}

// closest is the known name within two edits of name, ignoring case; ""
// when none is that close.
func closest[V any](name string, known map[string]V) string {
	best, bestDist := "", 3
	lower := strings.ToLower(name)
	for k := range known {
		if abs(len(k)-len(lower)) >= bestDist {
			continue
		}
		if d := checks.EditDistance(lower, strings.ToLower(k)); d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	return best
}
