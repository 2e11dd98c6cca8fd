package web

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Failed Basic logins are throttled with token buckets (OWASP "Blocking
// Brute Force Attacks"): each key may fail failBurst times at once and once
// more every failRefill after that; each time a bucket runs dry the refill
// slows down twice as much, up to failRefillMax, until the key has stayed
// quiet long enough for its bucket to fill up again. A throttled request is
// answered 429 with Retry-After before any bcrypt work.
const (
	failBurst     = 5
	failRefill    = 12 * time.Second // 5 failures a minute
	failRefillMax = 15 * time.Minute
	// maxStrikes is where the doubling stops (12 s << 7 > 15 min).
	maxStrikes = 8
	// maxThrottled bounds the keys a limiter remembers. When every one of
	// them still counts failures, the keys that do not fit share one
	// bucket: a flood of new names or addresses then throttles itself
	// rather than growing the table or pushing out the keys it has locked.
	maxThrottled = 4096
	// sweepEvery bounds how often a full table is searched for idle keys.
	sweepEvery = time.Second
)

// bucket counts one key's failures.
type bucket struct {
	tokens  float64 // failures still allowed; below 1, the key waits
	at      time.Time
	strikes int // times the bucket ran dry since it was last full
}

// every is how long one more allowed failure takes to come back.
func (b *bucket) every() time.Duration {
	return min(failRefill<<max(b.strikes-1, 0), failRefillMax)
}

// refill adds what has come back since the last look; a full bucket
// forgets its strikes.
func (b *bucket) refill(now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens += float64(d) / float64(b.every())
		b.at = now
	}
	if b.tokens >= failBurst {
		b.tokens, b.strikes = failBurst, 0
	}
}

// wait is how long the key must wait before its next attempt.
func (b *bucket) wait(now time.Time) time.Duration {
	b.refill(now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(b.every()))
}

// take reserves one failure; running dry is a strike.
func (b *bucket) take(now time.Time) {
	b.refill(now)
	b.tokens = max(b.tokens-1, 0) // no debt: a wait never exceeds failRefillMax
	if b.tokens < 1 {
		b.strikes = min(b.strikes+1, maxStrikes)
	}
}

// limiter holds the buckets of one kind of key, in bounded memory.
type limiter struct {
	mu    sync.Mutex
	max   int
	m     map[string]*bucket
	rest  bucket // shared by the keys that found the table full
	swept time.Time
}

func newLimiter(size int) *limiter {
	return &limiter{max: size, m: map[string]*bucket{}, rest: bucket{tokens: failBurst}}
}

// lookup returns key's bucket; a key that is not remembered has a fresh one
// (nil) while there is room, and otherwise the shared one. With create, a
// key that fits gets its own.
func (l *limiter) lookup(key string, now time.Time, create bool) *bucket {
	if b, ok := l.m[key]; ok {
		return b
	}
	if len(l.m) >= l.max {
		l.sweep(now)
	}
	if len(l.m) >= l.max {
		return &l.rest
	}
	if !create {
		return nil
	}
	b := &bucket{tokens: failBurst, at: now}
	l.m[key] = b
	return b
}

// sweep forgets the keys whose buckets are full again, at most once a
// sweepEvery, so that a flood cannot make every request walk the table.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < sweepEvery {
		return
	}
	l.swept = now
	for k, b := range l.m {
		if b.refill(now); b.tokens >= failBurst {
			delete(l.m, k)
		}
	}
}

// wait is the longest wait among keys.
func (l *limiter) wait(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.longestWait(now, keys)
}

// longestWait is wait for a caller that holds l.mu.
func (l *limiter) longestWait(now time.Time, keys []string) time.Duration {
	var w time.Duration
	for _, k := range keys {
		if b := l.lookup(k, now, false); b != nil {
			w = max(w, b.wait(now))
		}
	}
	return w
}

// take reserves a failure from every key for a login about to be checked,
// before the check, so that logins checked at the same time cannot get past
// the allowance together; when a key must wait it takes nothing and says
// how long. A login that turns out right, or is not checked after all, gets
// the reservation back (refund).
func (l *limiter) take(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.longestWait(now, keys); w > 0 {
		return w
	}
	for _, k := range keys {
		l.lookup(k, now, true).take(now)
	}
	return 0
}

// refund gives back a failure take reserved. A strike that reservation
// made stays: it only slows the pace of a key that ran dry.
func (l *limiter) refund(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if b := l.lookup(k, now, false); b != nil {
			b.tokens = min(b.tokens+1, failBurst)
		}
	}
}

// forgive forgets a key's failures.
func (l *limiter) forgive(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

// size is the number of keys remembered.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// clientKey names the client a request comes from: its address, and for
// IPv6 its /64, which one subscriber usually holds whole.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}
