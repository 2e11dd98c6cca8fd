package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"
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
	authThrottled                      // too many failed logins: wait before trying again
)

// verdict is what a request's credentials turned out to be.
type verdict struct {
	res  authResult
	who  string        // with authOK: the principal (see principal)
	wait time.Duration // with authThrottled: how long, for Retry-After
}

// authenticator checks every request against an AuthConfig.
type authenticator struct {
	cfg   AuthConfig
	cache *verifyCache
	known *knownLogins
	// strangers throttles failed logins by client address and by user name;
	// pairs throttles a client known for a user on its own (see throttleFor).
	strangers, pairs *limiter
	gate             *bcryptGate
	now              func() time.Time
	dummyOnce        sync.Once
	dummyHash        []byte // compared against for unknown users: same time as a known one
}

// strangersPerSlot bounds the strangers' logins waiting for each bcrypt slot:
// beyond it they get 429 at once instead of a place in a long queue.
const strangersPerSlot = 8

func newAuthenticator(cfg AuthConfig) *authenticator {
	if cfg.Realm == "" {
		cfg.Realm = "authmon"
	}
	slots := max(runtime.NumCPU()/2, 1)
	return &authenticator{cfg: cfg, cache: newVerifyCache(), known: newKnownLogins(),
		strangers: newLimiter(maxThrottled), pairs: newLimiter(maxKnown),
		gate: newBcryptGate(slots, slots*strangersPerSlot), now: time.Now}
}

// setClock makes the authenticator, its cache and its memory of logins read
// now (tests).
func (a *authenticator) setClock(now func() time.Time) {
	a.now, a.cache.now, a.known.now = now, now, now
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
		v := a.identify(r)
		if v.res == authOK {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, v.who)))
			return
		}
		a.refuse(w, r, v)
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

// principalKey carries who a request was authenticated as (see principal).
type principalKey struct{}

// principal is who the request was authenticated as: "basic:NAME",
// "bearer:" and the token's SHA-256, "proxy:" and the proxy's header; ""
// when the dashboard is open to all. The CSRF token is bound to it.
func principal(ctx context.Context) string {
	who, _ := ctx.Value(principalKey{}).(string)
	return who
}

// identify checks the proxy header (from a trusted proxy only), then the
// Authorization header, and says who the request comes from.
func (a *authenticator) identify(r *http.Request) verdict {
	if a.cfg.ProxyHeader != "" && r.Header.Get(a.cfg.ProxyHeader) != "" && a.fromTrustedProxy(r) {
		return verdict{res: authOK, who: "proxy:" + r.Header.Get(a.cfg.ProxyHeader)}
	}
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Basic") && len(a.cfg.Users) > 0:
		user, pass, ok := decodeBasic(cred)
		if !ok { // guesses nothing and costs nothing: not counted
			return verdict{res: authWrongBasic}
		}
		return a.checkBasic(r, user, pass)
	case strings.EqualFold(scheme, "Bearer") && len(a.cfg.Tokens) > 0:
		if a.verifyToken(cred) {
			sum := sha256.Sum256([]byte(cred))
			return verdict{res: authOK, who: "bearer:" + hex.EncodeToString(sum[:])}
		}
		return verdict{res: authInvalidToken}
	}
	return verdict{res: authNone}
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
func (a *authenticator) refuse(w http.ResponseWriter, r *http.Request, v verdict) {
	res := v.res
	if res == authThrottled {
		a.tooMany(w, r, v.wait)
		return
	}
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
