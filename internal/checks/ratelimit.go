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
	// retryAfterDefault is the pause when a 429 says nothing usable.
	retryAfterDefault = 5 * time.Minute
	// retryAfterMax bounds a pause, so that a wild Retry-After does not
	// stop a check's negative probes for good.
	retryAfterMax = 24 * time.Hour
)

// throttled handles a 429 to a probe of check: it sets p.RateLimited and
// the C18 assertion on the Retry-After field (RFC 6585 §4; RFC 9110
// §10.2.3), pauses the check's negative probes until Retry-After has passed,
// and reports true. Any other answer is left to be judged.
func throttled(check string, p *ProbeResult, h http.Header) bool {
	until, as := rateLimitedAt(p, h, time.Now())
	if !p.RateLimited {
		return false
	}
	pauses.pause(check, until)
	p.Assertions = as
	return true
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
	as := Assertion{ID: "C18", Ref: "RFC 6585 §4; RFC 9110 §10.2.3", Severity: SevWarn, Pass: ok,
		Expected: "a Retry-After of delay-seconds or an HTTP-date", Got: got}
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

// pauses remembers, per check name, until when its negative probes wait
// after a 429. Run has no state of its own between runs, and checks of one
// name never run concurrently, so a package-level map suffices.
var pauses = &pauseBook{until: map[string]time.Time{}}

type pauseBook struct {
	mu    sync.Mutex
	until map[string]time.Time
}

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
	return ProbeResult{Kind: k, Method: method, URL: url, RateLimited: true, Assertions: []Assertion{{
		ID: "C18", Ref: "RFC 6585 §4; RFC 9110 §10.2.3", Severity: SevWarn, Pass: true,
		Expected: "no probe before Retry-After has passed", Got: "skipped",
		Reason: fmt.Sprintf("%s: skipped: the target rate limited the monitor until %s",
			k.Phrase(), until.UTC().Format(time.TimeOnly+" UTC")),
	}}}
}
