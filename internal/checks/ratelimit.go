package checks

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A target that answers 429 is throttling the monitor, which is what a
// login endpoint under repeated failed logins should do (OWASP "Login
// Throttling"). The probe is recorded as rate limited and not judged as a
// regression, and the check's negative probes pause until Retry-After has
// passed, so that the monitor never keeps a canary account locked out.
const (
	// DefaultRateLimitRuns is how many runs in a row a check's positive
	// probe (good credentials, or the discovery document) may be answered
	// 429 before it is an availability failure, unless the pause the
	// target asked for passes first.
	DefaultRateLimitRuns = 3
	// retryAfterDefault is the pause when a 429 says nothing usable.
	retryAfterDefault = 5 * time.Minute
	// retryAfterMax bounds a pause, so that a wild Retry-After does not
	// stop a check's negative probes for good.
	retryAfterMax = 24 * time.Hour
)

// rateLimits is what a Runner remembers about targets that rate limit it:
// the pauses they asked for, how long each check's positive probe has been
// answered 429, and when each enumeration probe is next due.
type rateLimits struct {
	now     func() time.Time
	persist int // runs of 429s to the positive probe before they fail
	pauses  *pauseBook
	enumDue *pauseBook
	mu      sync.Mutex
	streaks map[string]streak
}

// streak is a run of 429s to a check's positive probe.
type streak struct {
	since time.Time // the first 429
	asked time.Time // the end of the pause the latest 429 asked for
	runs  int
}

func newRateLimits(now func() time.Time) *rateLimits {
	return &rateLimits{now: now, persist: DefaultRateLimitRuns, pauses: newPauseBook(), enumDue: newPauseBook(),
		streaks: map[string]streak{}}
}

// throttled handles a 429 to a probe of check: it sets p.RateLimited and
// the C18 assertion on the Retry-After field (RFC 6585 §4; RFC 9110
// §10.2.3), pauses the check's negative probes until Retry-After has passed,
// and reports true. Any other answer is left to be judged.
func (l *rateLimits) throttled(check string, p *ProbeResult, h http.Header) bool {
	until, as := rateLimitedAt(p, h, l.now())
	if !p.RateLimited {
		return false
	}
	l.pauses.pause(check, until)
	p.Assertions = as
	return true
}

// paused reports whether the check's negative probes wait now, and until when.
func (l *rateLimits) paused(check string) (time.Time, bool) {
	return l.pauses.paused(check, l.now())
}

// rateLimitedAt returns, for a 429 at now, until when negative probes
// should pause and the C18 assertion; any other status gives a zero time
// and no assertion.
func rateLimitedAt(p *ProbeResult, h http.Header, now time.Time) (time.Time, []Assertion) {
	if p.Status != http.StatusTooManyRequests {
		return time.Time{}, nil
	}
	p.RateLimited = true
	raw := strings.TrimSpace(h.Get("Retry-After"))
	wait, ok := parseRetryAfter(raw, now)
	got := fmt.Sprintf("Retry-After: %q", clipHeader(raw))
	if raw == "" {
		got = "no Retry-After"
	}
	if !ok {
		wait = retryAfterDefault
	}
	wait = min(max(wait, 0), retryAfterMax)
	until := now.Add(wait)
	as := assertion("C18")
	as.Pass, as.Expected, as.Got = ok, "a Retry-After of delay-seconds or an HTTP-date", got
	if ok {
		as.Reason = fmt.Sprintf("%s: rate limited (429); negative probes paused until %s as Retry-After asks",
			p.Kind.Phrase(), until.UTC().Format(time.TimeOnly+" UTC"))
	} else {
		as.Reason = fmt.Sprintf("%s: rate limited (429) with %s that does not parse; negative probes paused for %s",
			p.Kind.Phrase(), got, wait)
		if raw == "" {
			as.Reason = fmt.Sprintf("%s: rate limited (429) without Retry-After; negative probes paused for %s",
				p.Kind.Phrase(), wait)
		}
	}
	return until, []Assertion{as}
}

// parseRetryAfter reads delay-seconds or an HTTP-date (IMF-fixdate, or the
// obsolete RFC 850 and asctime forms recipients must accept).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(retryAfterMax/time.Second) {
			return retryAfterMax, true // too many digits is still delay-seconds
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return t.Sub(now), true
}

// clipHeader bounds a header value copied into an assertion.
func clipHeader(v string) string { return clipTo(v, 80) }

// pauseBook remembers, per check name, until when something waits: its
// negative probes after a 429, or its next enumeration probe.
type pauseBook struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func newPauseBook() *pauseBook { return &pauseBook{until: map[string]time.Time{}} }

// pause records a Retry-After for a check; a later pause never shortens an
// earlier one.
func (b *pauseBook) pause(check string, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until.After(b.until[check]) {
		b.until[check] = until
	}
}

// paused reports whether the check's negative probes still wait at now,
// forgetting pauses that have passed.
func (b *pauseBook) paused(check string, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.until[check]
	if ok && !now.Before(u) {
		delete(b.until, check)
		return time.Time{}, false
	}
	return u, ok
}

// skippedProbe is the result of a negative probe not sent because the
// target asked the monitor to wait: recorded as rate limited, passing.
func skippedProbe(k ProbeKind, method, url string, until time.Time) ProbeResult {
	a := assertion("C18")
	a.Pass, a.Expected, a.Got = true, "no probe before Retry-After has passed", "skipped"
	a.Reason = fmt.Sprintf("%s: skipped: the target rate limited the monitor until %s",
		k.Phrase(), until.UTC().Format(time.TimeOnly+" UTC"))
	return ProbeResult{Kind: k, Method: method, URL: url, RateLimited: true, Assertions: []Assertion{a}}
}

// peek returns the pause recorded for a check without forgetting it.
func (b *pauseBook) peek(check string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.until[check]
	return u, ok
}
