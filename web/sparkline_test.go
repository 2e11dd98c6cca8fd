package web

import (
	"encoding/xml"
	"html"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/store"
)

// hoursOf builds 24 buckets: p95 in ms per hour, -1 for an hour without
// runs; failed lists the hours with a failed run.
func hoursOf(p95ms []int, failed ...int) []store.Bucket {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]store.Bucket, len(p95ms))
	for i, p := range p95ms {
		out[i].Start = start.Add(time.Duration(i) * time.Hour)
		if p >= 0 {
			out[i].Runs, out[i].P95 = 60, time.Duration(p)*time.Millisecond
		}
	}
	for _, i := range failed {
		out[i].Failed = 1
	}
	return out
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// svgParts parses a sparkline and returns its title and the d of each path
// by class.
func svgParts(t *testing.T, markup string) (title string, paths map[string]string) {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		ViewBox string   `xml:"viewBox,attr"`
		Role    string   `xml:"role,attr"`
		Title   string   `xml:"title"`
		Paths   []struct {
			Class string `xml:"class,attr"`
			D     string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal([]byte(markup), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, markup)
	}
	if doc.ViewBox != "0 0 72 20" || doc.Role != "img" {
		t.Errorf("viewBox %q, role %q", doc.ViewBox, doc.Role)
	}
	paths = map[string]string{}
	for _, p := range doc.Paths {
		paths[p.Class] = p.D
	}
	return doc.Title, paths
}

func TestSparklineSteady(t *testing.T) {
	markup := sparkline(hoursOf(repeat(3, 24)))
	title, paths := svgParts(t, markup)
	if title != "last 24 h: p95 per hour 3.0 ms; no failed runs" {
		t.Errorf("title %q", title)
	}
	// A level line is one move and one horizontal stretch; no failure marks.
	if paths["spark-line"] != "M1 1h69" || paths["spark-fail"] != "" {
		t.Errorf("paths %v", paths)
	}
	if len(markup) > 260 {
		t.Errorf("a steady sparkline takes %d bytes: %s", len(markup), markup)
	}
}

func TestSparklineShape(t *testing.T) {
	p := repeat(10, 24)
	p[3] = 20           // the slowest hour: the top of the band
	p[7], p[8] = -1, -1 // a gap
	p[10], p[11], p[12] = -1, 5, -1
	title, paths := svgParts(t, sparkline(hoursOf(p, 3, 23)))
	want := "M1 7h6l3 -6l3 6h6" + // hours 0-6: level, up to 20 ms at hour 3, level again
		"M28 7h1" + // hour 9 alone: a dash
		"M34 11h1" + // hour 11 alone, 5 ms
		"M40 7h30" // hours 13-23
	if paths["spark-line"] != want {
		t.Errorf("line %q, want %q", paths["spark-line"], want)
	}
	if paths["spark-fail"] != "M9 16h3v4h-3zM69 16h3v4h-3z" {
		t.Errorf("failure marks %q", paths["spark-fail"])
	}
	if title != "last 24 h: p95 per hour 5.0 ms to 20 ms; failed runs in 2 of 24 hours; no runs in 4 hours" {
		t.Errorf("title %q", title)
	}
}

func TestSparklineEmpty(t *testing.T) {
	if s := sparkline(hoursOf(repeat(-1, 24))); s != "" {
		t.Errorf("no runs: %q, want nothing", s)
	}
	if s := sparkline(nil); s != "" {
		t.Errorf("nil: %q", s)
	}
	// Runs that took no measurable time still draw a line, at the bottom.
	_, paths := svgParts(t, sparkline(hoursOf(repeat(0, 24))))
	if paths["spark-line"] != "M1 14h69" {
		t.Errorf("zero latency line %q", paths["spark-line"])
	}
}

func TestSparklineLabelHours(t *testing.T) {
	p := repeat(-1, 24)
	p[23] = 7
	title, _ := svgParts(t, sparkline(hoursOf(p, 23)))
	if title != "last 24 h: p95 per hour 7.0 ms; failed runs in 1 of 24 hours; no runs in 23 hours" {
		t.Errorf("title %q", title)
	}
}

func TestAppendEscaped(t *testing.T) {
	for _, s := range []string{"", "plain", xss, `a&b "c" 'd' <e>`, "ünïcode & <β>", "&&&"} {
		if got, want := string(appendEscaped([]byte("x"), s)), "x"+html.EscapeString(s); got != want {
			t.Errorf("appendEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}
