package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// checkBasic verifies a Basic login. A throttled client or user name gets
// authThrottled before any work (the cache included, so that a guess cannot
// learn from it either); a verified login is cached for its client and
// never waits for bcrypt; every other login reserves a failure from the
// buckets it is judged by (throttleFor) and gets it back if it is right.
func (a *authenticator) checkBasic(r *http.Request, user, pass string) verdict {
	client := clientKey(r)
	pair := pairKey(user, client)
	known := a.known.has(pair)
	lim, keys := a.throttleFor(user, client, pair, known)
	if wait := lim.wait(a.now(), keys...); wait > 0 {
		return verdict{res: authThrottled, wait: wait}
	}
	key := cacheKey(client, user, pass)
	if a.cache.ok(key) {
		return verdict{res: authOK, who: "basic:" + user}
	}
	if wait := lim.take(a.now(), keys...); wait > 0 {
		return verdict{res: authThrottled, wait: wait}
	}
	ok, err := a.compare(r.Context(), user, pass, known)
	if err != nil || ok {
		lim.refund(a.now(), keys...)
	}
	switch {
	case errors.Is(err, errGateFull):
		return verdict{res: authThrottled, wait: time.Second}
	case err != nil: // the client went away
		return verdict{res: authWrongBasic}
	case !ok:
		return verdict{res: authWrongBasic}
	}
	a.cache.add(key)
	a.known.add(pair)
	a.pairs.forgive(pair) // a right password ends a run of typos
	return verdict{res: authOK, who: "basic:" + user}
}

// throttleFor picks the buckets a login is judged by. A client that has
// logged in as the user before is judged by that pair's own bucket only:
// someone guessing the user's password from elsewhere, or flooding from the
// same address with other names, cannot lock it out, and its own wrong
// passwords (typos, the monitor's `wrong` probe) lock no one else out. Any
// other login is judged by its client address and by the user name, so that
// neither one address trying many names nor many addresses trying one name
// get far.
func (a *authenticator) throttleFor(user, client, pair string, known bool) (*limiter, []string) {
	if known {
		return a.pairs, []string{pair}
	}
	return a.strangers, []string{"client " + client, "user " + boundedName(user)}
}

// boundedName keeps a throttle key short whatever user name a client sends
// (a header may be a megabyte long): long names are keyed by their SHA-256.
func boundedName(user string) string {
	if len(user) <= 64 {
		return user
	}
	sum := sha256.Sum256([]byte(user))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// compare checks a password against the user's bcrypt hash through the
// gate; an unknown user name costs the same as a known one.
func (a *authenticator) compare(ctx context.Context, user, pass string, known bool) (bool, error) {
	hash, exists := a.cfg.Users[user]
	if !exists {
		a.dummyOnce.Do(func() { a.dummyHash = dummyHashLike(a.cfg.Users) })
		hash = string(a.dummyHash)
	}
	if err := a.gate.acquire(ctx, known); err != nil {
		return false, err
	}
	defer a.gate.release()
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass))
	return err == nil && exists, nil
}

// dummyHashLike hashes a random value at the cost of a configured hash.
func dummyHashLike(users map[string]string) []byte {
	cost := bcrypt.DefaultCost
	for _, h := range users {
		if c, err := bcrypt.Cost([]byte(h)); err == nil {
			cost = c
			break
		}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(randomToken()), cost)
	if err != nil {
		return []byte("$2a$10$" + strings.Repeat(".", 53)) // never matches
	}
	return h
}

// tooMany answers 429 with Retry-After in whole seconds, rounded up (RFC
// 6585 §4), and no challenge: credentials would not be looked at.
func (a *authenticator) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := max(int64(math.Ceil(wait.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	a.deny(w, r, http.StatusTooManyRequests, fmt.Sprintf("too many failed logins: try again in %d s", secs))
}
