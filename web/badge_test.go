package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// svgText is a badge's accessible name and its texts.
type svgText struct {
	Label string   `xml:"aria-label,attr"`
	Title string   `xml:"title"`
	Texts []string `xml:"g>text"`
}

func badgeOf(t *testing.T, h http.Handler, path string, want int) svgText {
	t.Helper()
	rec := get(t, h, path)
	if rec.Code != want {
		t.Fatalf("GET %s: status %d, want %d (%s)", path, rec.Code, want, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.HasSuffix(cc, "max-age=60") {
		t.Errorf("GET %s: Cache-Control %q", path, cc)
	}
	var s svgText
	if err := xml.Unmarshal(rec.Body.Bytes(), &s); err != nil {
		t.Fatalf("GET %s: not XML: %v\n%s", path, err, rec.Body.String())
	}
	return s
}

func TestStatusBadges(t *testing.T) {
	h, _ := newTestHandler(t)
	tests := []struct{ path, want string }{
		{"/badges/api-basic/status.svg", "api-basic: passing"},
		{"/badges/api-bearer/status.svg", "api-bearer: failing: critical-security"},
		{"/badges/api-flaky/status.svg", "api-flaky: failing: availability"},
		{"/badges/pending%20one%2F%CE%B2/status.svg", pendingName + ": pending"},
	}
	for _, tt := range tests {
		s := badgeOf(t, h, tt.path, http.StatusOK)
		if s.Label != tt.want || s.Title != tt.want || len(s.Texts) != 4 {
			t.Errorf("GET %s: %+v, want %q", tt.path, s, tt.want)
		}
	}
	if s := badgeOf(t, h, "/badges/nope/status.svg", http.StatusNotFound); s.Label != "authmon: unknown check" {
		t.Errorf("unknown check badge %+v", s)
	}
}

// TestBadgeEscapes: a name with markup stays text in the SVG.
func TestBadgeEscapes(t *testing.T) {
	svg := badgeSVG(`a<b>&"c"`+xss, "passing", colourGreen)
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") {
		t.Fatalf("unescaped markup in %s", svg)
	}
	var s svgText
	if err := xml.Unmarshal([]byte(svg), &s); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Title, `a<b>&"c"<script>`) {
		t.Errorf("title %q", s.Title)
	}
	long := badgeSVG(strings.Repeat("x", 100), "passing", colourGreen)
	if strings.Contains(long, strings.Repeat("x", maxBadgeLabel)) || !strings.Contains(long, "…") {
		t.Error("a long name is not cut")
	}
}

// TestUptimeBadge: the share of passing runs in the window, coloured by
// how good it is, from a store with runs of the last hour.
func TestUptimeBadge(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "badges.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	now := time.Now().UTC()
	for i, ok := range []bool{true, true, true, false} {
		if _, _, err := st.RecordRun(ctx, flakyRun(now.Add(time.Duration(i-10)*time.Minute), ok), eval); err != nil {
			t.Fatal(err)
		}
	}
	h := New(Deps{Store: st, Checks: fixed(testChecks())})
	for _, w := range []string{"", "?window=24h", "?window=7d", "?window=30d"} {
		name := strings.TrimPrefix(w, "?window=")
		if name == "" {
			name = "24h"
		}
		s := badgeOf(t, h, "/badges/api-flaky/uptime.svg"+w, http.StatusOK)
		if want := "api-flaky: 75% " + name; s.Label != want {
			t.Errorf("window %q: %q, want %q", w, s.Label, want)
		}
	}
	if s := badgeOf(t, h, "/badges/api-basic/uptime.svg", http.StatusOK); s.Label != "api-basic: no runs 24h" {
		t.Errorf("no runs: %q", s.Label)
	}
	if rec := get(t, h, "/badges/api-flaky/uptime.svg?window=1y"); rec.Code != http.StatusBadRequest {
		t.Errorf("window=1y: status %d, want 400", rec.Code)
	}
}

func TestBadgeWords(t *testing.T) {
	for u, want := range map[float64]string{100: "100%", 99.999: "99.99%", 99.95: "99.95%", 99.5: "99.5%", 75: "75%", 0: "0%"} {
		if got := badgePercent(u); got != want {
			t.Errorf("badgePercent(%v) = %q, want %q", u, got, want)
		}
	}
	for u, want := range map[float64]string{100: colourGreen, 99.5: colourYellowGrn, 97: colourYellow, 92: colourOrange, 50: colourRed} {
		if got := uptimeColour(u); got != want {
			t.Errorf("uptimeColour(%v) = %q, want %q", u, got, want)
		}
	}
}
