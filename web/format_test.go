package web

import (
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

func TestAgo(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "just now"}, {0, "just now"}, {12 * time.Second, "12s ago"},
		{5*time.Minute + 59*time.Second, "5m ago"}, {3 * time.Hour, "3h ago"}, {50 * time.Hour, "2d ago"},
	}
	for _, tt := range tests {
		if got := ago(t0, t0.Add(-tt.d)); got != tt.want {
			t.Errorf("ago(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestStatusLine(t *testing.T) {
	tests := []struct {
		name string
		p    checks.ProbeResult
		want string
	}{
		{"text only", checks.ProbeResult{Status: 401, StatusText: "Unauthorized"}, "401 Unauthorized"},
		{"text with code", checks.ProbeResult{Status: 401, StatusText: "401 Unauthorized"}, "401 Unauthorized"},
		{"no text", checks.ProbeResult{Status: 418}, "418"},
		{"no response", checks.ProbeResult{Error: "connection refused"}, "no response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusLine(tt.p); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"userinfo", "https://u:pw@h/x", "https://u:[REDACTED]@h/x"},
		{"query secret", "https://h/x?k=" + canary, "https://h/x?k=[REDACTED]"},
		{"escaped secret", "https://h/x?k=a%2Fb", "https://h/x?k=[REDACTED]"},
		{"nothing to hide", "https://h/x", "https://h/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact.New(canary, "a/b", "").URL(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSpan(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"}, {45 * time.Second, "45s"}, {14*time.Minute + 59*time.Second, "14m"},
		{3 * time.Hour, "3h"}, {3*time.Hour + 5*time.Minute, "3h5m"}, {52 * time.Hour, "2d4h"}, {48 * time.Hour, "2d"},
	}
	for _, tt := range tests {
		if got := alert.Humanize(tt.d); got != tt.want {
			t.Errorf("Humanize(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestIncidentFlags(t *testing.T) {
	tests := []struct {
		inc  alert.Incident
		want string
	}{
		{alert.Incident{Announced: true}, ""},
		{alert.Incident{}, "not announced"},
		{alert.Incident{Announced: true, Silenced: true}, "silenced"},
		{alert.Incident{Silenced: true}, "silenced, not announced"},
	}
	for _, tt := range tests {
		if got := strings.Join(incidentFlags(tt.inc), ", "); got != tt.want {
			t.Errorf("flags(%+v) = %q, want %q", tt.inc, got, tt.want)
		}
	}
}

func TestParseID(t *testing.T) {
	for s, want := range map[string]int64{"1": 1, "42": 42, "007": 7, "0": 0, "-1": 0, "+1": 0, "1e3": 0, "": 0,
		"9223372036854775807": 9223372036854775807, "9223372036854775808": 0} {
		id, ok := parseID(s)
		if ok != (want > 0) || (ok && id != want) {
			t.Errorf("parseID(%q) = %d, %v; want %d", s, id, ok, want)
		}
	}
}
