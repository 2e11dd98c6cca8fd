package web

import (
	"crypto/sha256"
	"sync"
	"time"
)

// verifyTTL is how long a verified Basic login is remembered. bcrypt is slow
// on purpose (tens to hundreds of milliseconds): a dashboard refreshing
// every few seconds must not pay it on every request.
const verifyTTL = time.Minute

// maxVerified bounds the cache; when full, expired entries go, and if none
// has expired the cache starts afresh (every user then pays bcrypt once).
const maxVerified = 1024

// verifyCache remembers verified logins by a digest of client, user and
// password: neither is kept in clear, a wrong password never matches a cached
// right one, and only the client that proved the password is let in by it.
type verifyCache struct {
	mu  sync.Mutex
	m   map[[32]byte]time.Time // digest -> expiry
	now func() time.Time
}

func newVerifyCache() *verifyCache {
	return &verifyCache{m: map[[32]byte]time.Time{}, now: time.Now}
}

func cacheKey(client, user, pass string) [32]byte {
	return sha256.Sum256([]byte(client + "\x00" + user + "\x00" + pass))
}

func (c *verifyCache) ok(key [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, found := c.m[key]
	if found && c.now().After(exp) {
		delete(c.m, key)
		return false
	}
	return found
}

func (c *verifyCache) add(key [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.m) >= maxVerified {
		for k, exp := range c.m {
			if now.After(exp) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxVerified {
			clear(c.m)
		}
	}
	c.m[key] = now.Add(verifyTTL)
}

// knownTTL is how long a client that logged in as a user stays known for
// that user; maxKnown bounds how many such pairs are remembered. Only a
// right password adds one, so a stranger cannot fill the table.
const (
	knownTTL = 30 * 24 * time.Hour
	maxKnown = 1024
)

// knownLogins remembers which client has logged in as which user. A known
// client is throttled on its own (see authenticator.throttleFor): someone
// else guessing that user's password, or flooding from elsewhere, does not
// lock it out.
type knownLogins struct {
	mu  sync.Mutex
	m   map[string]time.Time // pairKey -> last login
	now func() time.Time
}

func newKnownLogins() *knownLogins {
	return &knownLogins{m: map[string]time.Time{}, now: time.Now}
}

func pairKey(user, client string) string { return user + "\x00" + client }

func (k *knownLogins) has(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	at, ok := k.m[key]
	return ok && k.now().Sub(at) < knownTTL
}

// add records a login; a full table first drops the pairs not seen for
// knownTTL, then the one seen longest ago.
func (k *knownLogins) add(key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if _, ok := k.m[key]; !ok && len(k.m) >= maxKnown {
		oldest, at := "", time.Time{}
		for p, t := range k.m {
			if now.Sub(t) >= knownTTL {
				delete(k.m, p)
			} else if oldest == "" || t.Before(at) {
				oldest, at = p, t
			}
		}
		if len(k.m) >= maxKnown {
			delete(k.m, oldest)
		}
	}
	k.m[key] = now
}
