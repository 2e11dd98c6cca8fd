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
	pauses  bookOf
	enumDue bookOf
	mu      sync.Mutex
	streaks map[string]streak
}

// Pauses keeps, per book and check, until when something waits: a check's
// negative probes after a 429 (book "429"), or its next enumeration probe
// (book "enumeration"). A Runner keeps them in memory; a fleet keeps them
// in its shared database (WithPauses), so that N instances never probe a
// target that asked them to wait, nor enumerate N times as often.
type Pauses interface {
	// Pause records that check waits until until; a later pause never
	// shortens an earlier one.
	Pause(book, check string, until time.Time)
	// Until returns the pause recorded for check and whether it still
	// holds at now (a zero now: whether one is recorded at all).
	Until(book, check string, now time.Time) (time.Time, bool)
	// Take reports whether check is due at now and, if so, makes it wait
	// until next, at once for every instance: one of them takes it.
	Take(book, check string, now, next time.Time) bool
	// Clear forgets check's pause (a taken turn that did not happen).
	Clear(book, check string)
}

// bookOf is one book of a Pauses.
type bookOf struct {
	p    Pauses
	name string
}

func (b bookOf) pause(check string, until time.Time) { b.p.Pause(b.name, check, until) }
func (b bookOf) paused(check string, now time.Time) (time.Time, bool) {
	return b.p.Until(b.name, check, now)
}
func (b bookOf) peek(check string) (time.Time, bool) { return b.p.Until(b.name, check, time.Time{}) }
func (b bookOf) take(check string, now, next time.Time) bool {
	return b.p.Take(b.name, check, now, next)
}
func (b bookOf) clear(check string) { b.p.Clear(b.name, check) }

// streak is a run of 429s to a check's positive probe.
type streak struct {
	since time.Time // the first 429
	asked time.Time // the end of the pause the latest 429 asked for
	runs  int
}

func newRateLimits(now func() time.Time, p Pauses) *rateLimits {
	if p == nil {
		p = NewMemoryPauses()
	}
	return &rateLimits{now: now, persist: DefaultRateLimitRuns, pauses: bookOf{p, "429"}, enumDue: bookOf{p, "enumeration"},
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

// memoryPauses is the Pauses of a single monitor.
type memoryPauses struct {
	mu    sync.Mutex
	until map[string]time.Time // book + "\x00" + check
}

// NewMemoryPauses returns Pauses kept in memory.
func NewMemoryPauses() Pauses { return &memoryPauses{until: map[string]time.Time{}} }

func (b *memoryPauses) Pause(book, check string, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k := book + "\x00" + check; until.After(b.until[k]) {
		b.until[k] = until
	}
}

// Until forgets a pause that has passed at now.
func (b *memoryPauses) Until(book, check string, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := book + "\x00" + check
	u, ok := b.until[k]
	if ok && !now.IsZero() && !now.Before(u) {
		delete(b.until, k)
		return u, false
	}
	return u, ok
}

func (b *memoryPauses) Take(book, check string, now, next time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := book + "\x00" + check
	if u, ok := b.until[k]; ok && now.Before(u) {
		return false
	}
	b.until[k] = next
	return true
}

func (b *memoryPauses) Clear(book, check string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.until, book+"\x00"+check)
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
