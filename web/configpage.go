package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// configView is the effective configuration, secrets masked.
type configView struct {
	Reload     bool      // the monitor reports config loads (always, when serving)
	LoadedAt   time.Time // the latest load attempt
	Problems   []string  // why that load was refused; empty when it succeeded
	Groups     []configGroup
	CheckCount int
	Now        time.Time
	Silences   []silenceView // active now
}

// configGroup is the checks of one dashboard group, by name.
type configGroup struct {
	Name   string // "" for checks without a group
	Checks []checkConfig
}

// checkConfig is one check as configured, every secret replaced by
// maskedText.
type checkConfig struct {
	Name     string
	Settings []configItem // kind, method, URL, schedule, timeout, limits
	Auth     []configItem
	Headers  []configItem
	Probes   []probeConfig
	Kind     []configItem // login, token, discovery, enumeration, JWT rules
}

// probeConfig is one probe of the matrix and what it expects.
type probeConfig struct {
	Kind   string
	Expect []configItem
}

func (h *handler) getConfig(w http.ResponseWriter, r *http.Request) {
	list := h.Checks()
	red := h.redactor()
	v := configView{CheckCount: len(list), Groups: configGroups(list, red), Now: h.Now()}
	v.Silences = h.activeSilences("", v.Now)
	if h.Reload != nil {
		at, err := h.Reload()
		v.Reload, v.LoadedAt = true, at
		if err != nil {
			v.Problems = reloadProblems(err, red)
		}
	}
	h.render(w, r, http.StatusOK, h.page("Configuration", pageConfig(v)))
}

// reloadProblems splits a refused reload's error into its problems, each
// redacted against every known secret: a problem quotes the file.
func reloadProblems(err error, red *redact.Redactor) []string {
	text := red.String(strings.TrimSpace(err.Error()))
	return strings.Split(text, "\n")
}

// configGroups sorts the checks into their groups: named groups by name,
// then the checks without one.
func configGroups(list []checks.Check, red *redact.Redactor) []configGroup {
	byName := map[string][]checkConfig{}
	for _, c := range list {
		byName[c.Group] = append(byName[c.Group], configOfCheck(c, red))
	}
	out := make([]configGroup, 0, len(byName))
	for name, cs := range byName {
		slices.SortFunc(cs, func(a, b checkConfig) int { return cmp.Compare(a.Name, b.Name) })
		out = append(out, configGroup{Name: name, Checks: cs})
	}
	slices.SortFunc(out, func(a, b configGroup) int {
		switch {
		case a.Name == "" && b.Name != "":
			return 1
		case a.Name != "" && b.Name == "":
			return -1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// groupTitleOf names a group on the config page.
func groupTitleOf(g configGroup) string {
	if g.Name == "" {
		return "Checks without a group"
	}
	return "Group: " + g.Name
}

// configAnchor is the id of a check's section on the config page.
func configAnchor(name string) string {
	return "check-" + strings.ReplaceAll(checkHref(name)[len("/checks/"):], "%", "_")
}
