package web

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// Badges are small SVG images of a check's state or uptime, for READMEs and
// wikis, in the shape of shields.io's "flat" badges. The words carry the
// meaning; the colour repeats it.

// badgeMaxAge keeps a badge fresh within a minute while letting image
// proxies (such as GitHub's) cache it between page views.
const badgeMaxAge = "max-age=60"

// maxBadgeLabel bounds the label, in characters; longer names are cut.
const maxBadgeLabel = 40

// Badge colours.
const (
	colourGreen     = "#4c1"
	colourYellowGrn = "#a4a61d"
	colourYellow    = "#dfb317"
	colourOrange    = "#fe7d37"
	colourRed       = "#e05d44"
	colourGrey      = "#9f9f9f"
)

// badgeWindows are the uptime windows a badge may show.
var badgeWindows = map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour}

func (h *handler) getStatusBadge(w http.ResponseWriter, r *http.Request) {
	c, ok := h.findCheck(r.PathValue("name"))
	if !ok {
		h.badge(w, http.StatusNotFound, "authmon", "unknown check", colourGrey)
		return
	}
	sum, err := h.Store.Summary(r.Context(), c.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.badge(w, http.StatusOK, c.Name, "pending", colourGrey)
		return
	case err != nil:
		h.serverError(w, r, fmt.Errorf("badge of %q: %w", c.Name, err))
		return
	}
	msg, colour := statusWords(sum.State)
	h.badge(w, http.StatusOK, c.Name, msg, colour)
}

// statusWords is a badge's message and colour for a state: security
// failures red, other failures orange.
func statusWords(st alert.State) (string, string) {
	switch st.Status {
	case alert.StatusPassing:
		return "passing", colourGreen
	case alert.StatusFailing:
		if st.Severity >= checks.SevHighSec {
			return "failing: " + st.Severity.String(), colourRed
		}
		return "failing: " + st.Severity.String(), colourOrange
	}
	return "pending", colourGrey
}

func (h *handler) getUptimeBadge(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("window")
	if name == "" {
		name = "24h"
	}
	span, ok := badgeWindows[name]
	if !ok {
		http.Error(w, "window: want 24h, 7d or 30d", http.StatusBadRequest)
		return
	}
	c, ok := h.findCheck(r.PathValue("name"))
	if !ok {
		h.badge(w, http.StatusNotFound, "authmon", "unknown check", colourGrey)
		return
	}
	ws, err := h.Store.Stats(r.Context(), c.Name, []time.Duration{span})
	if err != nil || len(ws) != 1 {
		h.serverError(w, r, fmt.Errorf("uptime badge of %q: %w", c.Name, err))
		return
	}
	if ws[0].Runs == 0 {
		h.badge(w, http.StatusOK, c.Name, "no runs "+name, colourGrey)
		return
	}
	u := ws[0].Uptime()
	h.badge(w, http.StatusOK, c.Name, badgePercent(u)+" "+name, uptimeColour(u))
}

// badgePercent is "100%", "99.95%": two decimals at most, no trailing zeros.
// It rounds down, so 99.999 never shows as 100%.
func badgePercent(u float64) string {
	s := strconv.FormatFloat(float64(int64(u*100+1e-6))/100, 'f', 2, 64) // +1e-6: 99.95*100 is 9994.99…
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".") + "%"
}

func uptimeColour(u float64) string {
	switch {
	case u >= 99.9:
		return colourGreen
	case u >= 99:
		return colourYellowGrn
	case u >= 95:
		return colourYellow
	case u >= 90:
		return colourOrange
	}
	return colourRed
}

// badge writes a badge. It is an image even for a missing check, so a
// README shows why instead of a broken picture.
func (h *handler) badge(w http.ResponseWriter, status int, label, msg, colour string) {
	cache := "private, " + badgeMaxAge
	if h.Auth.PublicBadges || !h.Auth.Enabled() {
		cache = "public, " + badgeMaxAge
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", cache)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(badgeSVG(label, msg, colour)))
}

// badgeSVG draws a flat badge: the label on grey, the message on colour.
// Every text is escaped; textLength fits the text to the estimated width.
func badgeSVG(label, msg, colour string) string {
	if utf8.RuneCountInString(label) > maxBadgeLabel {
		label = string([]rune(label)[:maxBadgeLabel-1]) + "…"
	}
	lw, mw := textWidth(label), textWidth(msg)
	lbox, mbox := lw+10, mw+10
	total := lbox + mbox
	l, m, title := html.EscapeString(label), html.EscapeString(msg), html.EscapeString(label+": "+msg)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`, total, title)
	fmt.Fprintf(&b, `<title>%s</title>`, title)
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`, total)
	fmt.Fprintf(&b, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`,
		lbox, lbox, mbox, colour, total)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`)
	for _, t := range []struct {
		x, w int
		s    string
	}{{lbox / 2, lw, l}, {lbox + mbox/2, mw, m}} {
		fmt.Fprintf(&b, `<text x="%d" y="15" fill="#010101" fill-opacity=".3" textLength="%d">%s</text>`, t.x, t.w, t.s)
		fmt.Fprintf(&b, `<text x="%d" y="14" textLength="%d">%s</text>`, t.x, t.w, t.s)
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

// textWidth estimates the width of s in 11px Verdana, in pixels.
func textWidth(s string) int {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("ijlI.,:;|!'` ", r):
			w += 3.9
		case strings.ContainsRune("mwMW@%", r):
			w += 10.5
		case r >= 'A' && r <= 'Z':
			w += 7.6
		default:
			w += 6.9
		}
	}
	return int(w + 0.5)
}
