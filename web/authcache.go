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

// verifyCache remembers verified logins by a digest of user and password:
// neither is kept in clear, and a wrong password never matches a cached
// right one.
type verifyCache struct {
	mu  sync.Mutex
	m   map[[32]byte]time.Time // digest -> expiry
	now func() time.Time
}

func newVerifyCache() *verifyCache {
	return &verifyCache{m: map[[32]byte]time.Time{}, now: time.Now}
}

func cacheKey(user, pass string) [32]byte {
	return sha256.Sum256([]byte(user + "\x00" + pass))
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
