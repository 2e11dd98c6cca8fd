package checks

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRateLimitedReadsRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		status     int
		retryAfter string
		wait       time.Duration // until - now; 0 means not rate limited
		pass       bool
	}{
		{"delay-seconds", 429, "120", 120 * time.Second, true},
		{"IMF-fixdate", 429, "Sun, 01 Mar 2026 12:10:00 GMT", 10 * time.Minute, true},
		{"obsolete RFC 850 date", 429, "Sunday, 01-Mar-26 12:01:00 GMT", time.Minute, true},
		{"asctime date", 429, "Sun Mar  1 12:02:00 2026", 2 * time.Minute, true},
		{"date in the past", 429, "Sun, 01 Mar 2026 11:00:00 GMT", 0, true},
		{"huge delay is capped", 429, "99999999999999999999999", retryAfterMax, true},
		{"missing", 429, "", retryAfterDefault, false},
		{"not a number or date", 429, "soon", retryAfterDefault, false},
		{"negative", 429, "-5", retryAfterDefault, false},
		{"not a 429", 401, "120", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ProbeResult{Kind: ProbeLoginWrong, Status: c.status}
			h := http.Header{}
			if c.retryAfter != "" {
				h.Set("Retry-After", c.retryAfter)
			}
			until, as := rateLimitedAt(&p, h, now)
			if c.status != 429 {
				if p.RateLimited || !until.IsZero() || as != nil {
					t.Fatalf("a %d is not rate limiting: %v %v %v", c.status, p.RateLimited, until, as)
				}
				return
			}
			if !p.RateLimited || len(as) != 1 {
				t.Fatalf("RateLimited=%v assertions=%v", p.RateLimited, as)
			}
			a := as[0]
			if a.ID != "C18" || a.Severity != SevWarn || a.Pass != c.pass {
				t.Errorf("assertion = %+v, want C18 warning pass=%v", a, c.pass)
			}
			if got := until.Sub(now); got != c.wait {
				t.Errorf("paused for %s, want %s", got, c.wait)
			}
			if !strings.Contains(a.Reason, "rate limited (429)") {
				t.Errorf("reason %q does not say rate limited", a.Reason)
			}
		})
	}
}

func TestPauseBookKeepsTheLongestPauseAndForgets(t *testing.T) {
	m := NewMemoryPauses().(*memoryPauses)
	b := bookOf{m, "429"}
	now := time.Now()
	b.pause("a", now.Add(time.Minute))
	b.pause("a", now.Add(time.Second)) // shorter: ignored
	if until, ok := b.paused("a", now); !ok || !until.Equal(now.Add(time.Minute)) {
		t.Fatalf("paused = %v %v, want until +1m", until, ok)
	}
	if _, ok := b.paused("b", now); ok {
		t.Fatal("another check is not paused")
	}
	if _, ok := b.paused("a", now.Add(time.Minute)); ok {
		t.Fatal("a pause ends when its time has come")
	}
	if len(m.until) != 0 {
		t.Fatalf("an ended pause is forgotten, have %v", m.until)
	}
	if !b.take("c", now, now.Add(time.Minute)) || b.take("c", now.Add(time.Second), now.Add(time.Hour)) {
		t.Fatal("a turn is taken once until it comes again")
	}
	if !b.take("c", now.Add(time.Minute), now.Add(2*time.Minute)) {
		t.Fatal("the next turn comes at its time")
	}
}
