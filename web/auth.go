package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// AuthConfig says who may open the dashboard and its API. The zero value
// lets everyone in (serve allows that on loopback, or when asked to).
type AuthConfig struct {
	Realm string // of the challenges; "authmon" when empty
	// Users maps a Basic user name to its bcrypt password hash.
	Users map[string]string
	// Tokens are the SHA-256 digests of the accepted bearer tokens.
	Tokens [][32]byte
	// ProxyHeader names a header carrying the user a reverse proxy
	// authenticated; it is believed only from TrustedProxies.
	ProxyHeader    string
	TrustedProxies []netip.Prefix
	// PublicBadges serves /badges/ to anyone.
	PublicBadges bool
	// PublicStatus serves the status page (/status, /status.json) to
	// anyone; New sets it when the page is configured.
	PublicStatus bool
}

// Enabled reports whether requests must say who they come from.
func (c AuthConfig) Enabled() bool {
	return len(c.Users) > 0 || len(c.Tokens) > 0 || c.ProxyHeader != ""
}

// authResult is what a request's credentials turned out to be.
type authResult int

const (
	authNone         authResult = iota // no credentials we accept were presented
	authOK                             // a known user or token
	authWrongBasic                     // Basic credentials that do not match
	authInvalidToken                   // a bearer token that is not ours
)

// authenticator checks every request against an AuthConfig.
type authenticator struct {
	cfg   AuthConfig
	cache *verifyCache
	// bcryptSlots bounds the bcrypt comparisons running at once, so a flood
	// of wrong passwords cannot take every core; verified logins are cached
	// and never wait for a slot.
	bcryptSlots chan struct{}
	dummyOnce   sync.Once
	dummyHash   []byte // compared against for unknown users: same time as a known one
}

func newAuthenticator(cfg AuthConfig) *authenticator {
	if cfg.Realm == "" {
		cfg.Realm = "authmon"
	}
	return &authenticator{cfg: cfg, cache: newVerifyCache(), bcryptSlots: make(chan struct{}, max(runtime.NumCPU()/2, 1))}
}

// middleware lets a request through when it is open to all or carries
// accepted credentials, and answers the rest with a challenge.
func (a *authenticator) middleware(next http.Handler) http.Handler {
	if !a.cfg.Enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.open(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		res := a.identify(r)
		if res == authOK {
			next.ServeHTTP(w, r)
			return
		}
		a.refuse(w, r, res)
	})
}

// open reports whether a path needs no credentials: the probes an
// orchestrator polls, the stylesheet, the badges when they are public, and
// the status page when there is one (its admin page is not open).
// A path that is not clean is never open: the mux would redirect it.
func (a *authenticator) open(path string) bool {
	if strings.Contains(path, "..") || strings.Contains(path, "//") {
		return false
	}
	switch {
	case path == "/healthz", path == "/readyz", strings.HasPrefix(path, "/static/"):
		return true
	case strings.HasPrefix(path, "/badges/"):
		return a.cfg.PublicBadges
	case path == "/status", path == "/status.json":
		return a.cfg.PublicStatus
	}
	return false
}

// identify checks the proxy header (from a trusted proxy only), then the
// Authorization header.
func (a *authenticator) identify(r *http.Request) authResult {
	if a.cfg.ProxyHeader != "" && r.Header.Get(a.cfg.ProxyHeader) != "" && a.fromTrustedProxy(r) {
		return authOK
	}
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Basic") && len(a.cfg.Users) > 0:
		user, pass, ok := decodeBasic(cred)
		if ok && a.verifyPassword(r, user, pass) {
			return authOK
		}
		return authWrongBasic
	case strings.EqualFold(scheme, "Bearer") && len(a.cfg.Tokens) > 0:
		if a.verifyToken(cred) {
			return authOK
		}
		return authInvalidToken
	}
	return authNone
}

func decodeBasic(cred string) (user, pass string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}

// verifyToken compares the token's digest with every configured one, in
// constant time and without stopping at a match.
func (a *authenticator) verifyToken(token string) bool {
	if token == "" {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	match := 0
	for _, t := range a.cfg.Tokens {
		match |= subtle.ConstantTimeCompare(sum[:], t[:])
	}
	return match == 1
}

// verifyPassword checks a Basic login against its bcrypt hash, remembering
// a success for a minute (see verifyCache).
func (a *authenticator) verifyPassword(r *http.Request, user, pass string) bool {
	key := cacheKey(user, pass)
	if a.cache.ok(key) {
		return true
	}
	hash, known := a.cfg.Users[user]
	if !known {
		a.dummyOnce.Do(func() { a.dummyHash = dummyHashLike(a.cfg.Users) })
		hash = string(a.dummyHash)
	}
	select {
	case a.bcryptSlots <- struct{}{}:
	case <-r.Context().Done():
		return false
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass))
	<-a.bcryptSlots
	if err != nil || !known {
		return false
	}
	a.cache.add(key)
	return true
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

func (a *authenticator) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range a.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// refuse answers 401 with a challenge for every scheme configured (RFC 9110
// §11.6.1), the Bearer one saying why a presented token failed (RFC 6750
// §3.1). With only a proxy header configured no challenge could help: 403.
func (a *authenticator) refuse(w http.ResponseWriter, r *http.Request, res authResult) {
	msg := "authentication required"
	if len(a.cfg.Users) == 0 && len(a.cfg.Tokens) == 0 {
		a.deny(w, r, http.StatusForbidden, "sign in through the proxy in front of the dashboard")
		return
	}
	if len(a.cfg.Users) > 0 {
		w.Header().Add("WWW-Authenticate", `Basic realm="`+a.cfg.Realm+`", charset="UTF-8"`)
	}
	if len(a.cfg.Tokens) > 0 {
		bearer := `Bearer realm="` + a.cfg.Realm + `"`
		if res == authInvalidToken {
			bearer += `, error="invalid_token"`
			msg = "invalid bearer token"
		}
		w.Header().Add("WWW-Authenticate", bearer)
	}
	if res == authWrongBasic {
		msg = "wrong user name or password"
	}
	a.deny(w, r, http.StatusUnauthorized, msg)
}

// deny writes an error in the API's format under /api/, as text elsewhere.
func (a *authenticator) deny(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, r, status, apiError{Error: msg})
		return
	}
	http.Error(w, msg, status)
}
