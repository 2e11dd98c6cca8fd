package web

import (
	"fmt"
	"strings"
)

// configStatus words the latest config load: a line for the footer and,
// when the last reload was refused, the overview's banner with its first
// problem (the log has them all).
func (h *handler) configStatus() (footer, banner string) {
	if h.Reload == nil {
		return "", ""
	}
	at, err := h.Reload()
	if err == nil {
		return "config loaded at " + fmtTime(at), ""
	}
	first, rest, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	more := ""
	if rest != "" {
		more = fmt.Sprintf(" (and %d more in the log)", strings.Count(rest, "\n")+1)
	}
	footer = "config reload at " + fmtTime(at) + " failed: still running the previous config"
	banner = fmt.Sprintf("config reload at %s failed: %s%s — still running the previous config",
		at.UTC().Format("15:04 UTC"), first, more)
	return footer, banner
}
