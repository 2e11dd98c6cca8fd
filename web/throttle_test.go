package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// throttled is an authenticator on a fake clock in front of a handler that
// answers 204, with the users ops and admin.
func throttled(t *testing.T) (*authenticator, http.Handler, *time.Time) {
	t.Helper()
	a := newAuthenticator(AuthConfig{Users: map[string]string{"ops": testHash(t, canary), "admin": testHash(t, canary)}})
	now := t0
	a.setClock(func() time.Time { return now })
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return a, a.middleware(ok), &now
}

// loginFrom sends a Basic login from the address remote to the API.
func loginFrom(h http.Handler, remote, user, pass string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/checks", nil)
	req.RemoteAddr = remote
	req.SetBasicAuth(user, pass)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// retryAfter is the 429's Retry-After in seconds, failing the test when the
// answer is not a 429 with a positive delay-seconds and an API error body.
func retryAfter(t *testing.T, rec *httptest.ResponseRecorder) int {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", rec.Code)
	}
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs < 1 {
		t.Fatalf("Retry-After %q: want delay-seconds of at least 1", rec.Header().Get("Retry-After"))
	}
	var body apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
		t.Errorf("429 body %q is not an API error", rec.Body.String())
	}
	if rec.Header().Get("WWW-Authenticate") != "" {
		t.Error("a 429 with a challenge")
	}
	return secs
}

// TestLoginThrottle (item 21): after failBurst wrong passwords a client gets
// 429 with Retry-After, its right password included, and each lockout it
// runs into lasts longer; a client that logged in as the user before still
// gets in, a new client for another user too, while a new client for the
// attacked user waits as well.
func TestLoginThrottle(t *testing.T) {
	_, h, now := throttled(t)
	const attacker, regular, newcomer = "203.0.113.9:4000", "198.51.100.7:5000", "192.0.2.44:6000"
	if rec := loginFrom(h, regular, "ops", canary); rec.Code != http.StatusNoContent {
		t.Fatalf("first login: status %d", rec.Code)
	}
	for i := range failBurst {
		if rec := loginFrom(h, attacker, "ops", fmt.Sprint("guess", i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i+1, rec.Code)
		}
	}
	retryAfter(t, loginFrom(h, attacker, "ops", "guess"))
	retryAfter(t, loginFrom(h, attacker, "ops", canary)) // no yes/no answer while throttled
	retryAfter(t, loginFrom(h, attacker, "admin", canary))
	retryAfter(t, loginFrom(h, newcomer, "ops", canary))
	*now = now.Add(verifyTTL + time.Second) // the regular's cached login has expired
	if rec := loginFrom(h, regular, "ops", canary); rec.Code != http.StatusNoContent {
		t.Errorf("a known client during the attack: status %d, want 204", rec.Code)
	}
	if rec := loginFrom(h, newcomer, "admin", canary); rec.Code != http.StatusNoContent {
		t.Errorf("a new client for another user: status %d, want 204", rec.Code)
	}
	last := 0 // the quiet minute has refilled the attacker's buckets
	for round := range 4 {
		*now = now.Add(time.Duration(last) * time.Second)
		for i := 0; i < failBurst && loginFrom(h, attacker, "ops", "again").Code == http.StatusUnauthorized; i++ {
		}
		next := retryAfter(t, loginFrom(h, attacker, "ops", "again"))
		if round > 0 && next <= last {
			t.Errorf("lockout %d: Retry-After %d s after %d s: want it to grow", round+1, next, last)
		}
		last = next
	}
}

// TestLoginThrottleCountsOnlyGuesses: requests without credentials or with
// credentials that do not parse cost nothing and are not counted; neither is
// a known client's wrong password against anyone else.
func TestLoginThrottleCountsOnlyGuesses(t *testing.T) {
	a, h, _ := throttled(t)
	const monitor = "127.0.0.1:7000"
	if rec := loginFrom(h, monitor, "admin", canary); rec.Code != http.StatusNoContent {
		t.Fatalf("login: status %d", rec.Code)
	}
	for range 3 * failBurst {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/checks", nil)
		req.RemoteAddr = monitor
		req.Header.Set("Authorization", "Basic !!!")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	for range failBurst - 1 {
		loginFrom(h, monitor, "admin", "wrong")
	}
	for k, b := range a.strangers.m {
		if b.tokens != failBurst {
			t.Errorf("%q: %.1f failures left after a known client's failures, want all %d", k, b.tokens, failBurst)
		}
	}
	if rec := loginFrom(h, "127.0.0.1:7001", "ops", canary); rec.Code != http.StatusNoContent {
		t.Errorf("another user from the same address: status %d", rec.Code)
	}
	if rec := loginFrom(h, monitor, "admin", canary); rec.Code != http.StatusNoContent {
		t.Errorf("the known client's right password: status %d", rec.Code)
	}
}

// TestThrottleMemoryBound: a flood of new addresses and user names never
// grows the table past its bound, never pushes out a key it has locked, and
// once the table is full the newcomers share one bucket that locks them too.
func TestThrottleMemoryBound(t *testing.T) {
	a, h, _ := throttled(t)
	a.strangers = newLimiter(50)
	for i := range failBurst {
		loginFrom(h, "203.0.113.9:4000", "ops", fmt.Sprint("guess", i))
	}
	throttledAt := 0
	for i := range 400 {
		rec := loginFrom(h, fmt.Sprintf("10.0.%d.%d:4000", i/250, i%250), fmt.Sprint("user", i), "guess")
		if rec.Code == http.StatusTooManyRequests && throttledAt == 0 {
			throttledAt = i
		}
		if n := a.strangers.size(); n > 50 {
			t.Fatalf("after %d new keys the table holds %d, bound 50", i+1, n)
		}
	}
	if throttledAt == 0 {
		t.Error("a flood of new names and addresses was never throttled")
	}
	retryAfter(t, loginFrom(h, "203.0.113.9:4000", "ops", "guess"))
	a.strangers = newLimiter(50)
	loginFrom(h, "10.9.9.9:4000", strings.Repeat("n", 100_000), "guess")
	for k := range a.strangers.m {
		if len(k) > 100 {
			t.Errorf("a throttle key of %d bytes: a user name is kept whole", len(k))
		}
	}
	for i := range 2 * maxKnown {
		a.known.add(pairKey("ops", fmt.Sprint("client", i)))
	}
	if n := len(a.known.m); n > maxKnown {
		t.Errorf("known logins %d, bound %d", n, maxKnown)
	}
}

// TestCachedLoginSkipsBcrypt: a login verified once is let in again without
// a bcrypt comparison, even when every slot is taken and the request could
// not wait for one.
func TestCachedLoginSkipsBcrypt(t *testing.T) {
	a, h, _ := throttled(t)
	if rec := loginFrom(h, "198.51.100.7:5000", "ops", canary); rec.Code != http.StatusNoContent {
		t.Fatalf("login: status %d", rec.Code)
	}
	a.gate = newBcryptGate(0, 0) // no slot: any comparison would be refused
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/checks", nil)
	req.RemoteAddr = "198.51.100.7:5001"
	req.SetBasicAuth("ops", canary)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Errorf("cached login: status %d, want 204 without bcrypt", rec.Code)
	}
	if rec := loginFrom(h, "192.0.2.44:6000", "ops", canary); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a stranger with no slot free: status %d, want 429", rec.Code)
	}
}

// TestThrottleHoldsUnderConcurrency: guesses sent at once from one address
// get no more than the allowance checked between them; the rest are turned
// away before bcrypt, not after.
func TestThrottleHoldsUnderConcurrency(t *testing.T) {
	a, h, _ := throttled(t)
	a.gate = newBcryptGate(1, 100)
	if err := a.gate.acquire(context.Background(), false); err != nil { // every guess waits for this slot
		t.Fatal(err)
	}
	const guesses = 16
	codes := make(chan int, guesses)
	for i := range guesses {
		go func() { codes <- loginFrom(h, "203.0.113.9:4000", "ops", fmt.Sprint("guess", i)).Code }()
	}
	count := map[int]int{}
	for got := 0; got < guesses-failBurst; { // the ones refused without waiting
		select {
		case c := <-codes:
			count[c]++
			got++
		default:
			if waiting(a.gate) > failBurst {
				a.gate.release() // let them all through rather than hang
				t.Fatalf("%d guesses at once: %d of them wait for bcrypt, want at most %d", guesses, waiting(a.gate), failBurst)
			}
			runtime.Gosched()
		}
	}
	queued(t, a.gate, failBurst)
	a.gate.release()
	for range failBurst {
		count[<-codes]++
	}
	if count[http.StatusUnauthorized] != failBurst || count[http.StatusTooManyRequests] != guesses-failBurst {
		t.Errorf("%d guesses at once: %v; want %d checked (401), the rest 429", guesses, count, failBurst)
	}
}

// waiting is how many logins wait for a bcrypt slot.
func waiting(g *bcryptGate) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.known) + len(g.strangers)
}
