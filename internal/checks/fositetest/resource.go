package fositetest

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	josejwt "github.com/go-jose/go-jose/v3/jwt"
	"github.com/ory/fosite"
)

// resource is the protected resource: a Bearer access token for Audience
// gets 200; anything else 401 with an RFC 6750 challenge. It asks the
// authorization server about each token (introspection, in process),
// through the same cache as the introspection endpoint when that fault is
// on; with ResourceAcceptsAnyJWT it verifies JWTs itself instead.
func (s *Server) resource(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		http.Error(w, "token required", http.StatusUnauthorized)
		return
	}
	if !s.accepts(r, tok) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	writeJSON(w, map[string]string{"hello": "canary"})
}

func (s *Server) accepts(r *http.Request, tok string) bool {
	f := s.faultsNow()
	if f.ResourceAcceptsAnyJWT {
		return s.verifiesLocally(tok)
	}
	aud, ok := s.cache.audience(tok, f.IntrospectionCache)
	if !ok {
		tu, ar, err := s.f.IntrospectToken(r.Context(), tok, fosite.AccessToken, newSession(s.URL))
		if err != nil || tu != fosite.AccessToken {
			return false
		}
		aud = ar.GetGrantedAudience()
		if f.IntrospectionCache > 0 {
			s.cache.putAudience(tok, aud)
		}
	}
	return f.ResourceIgnoresAudience || slices.Contains(aud, Audience)
}

// verifiesLocally is the shortcut many resource servers take: any JWT
// signed by a published key and not expired is good enough.
func (s *Server) verifiesLocally(tok string) bool {
	parsed, err := josejwt.ParseSigned(tok)
	if err != nil || len(parsed.Headers) != 1 {
		return false
	}
	key, ok := s.keys.publicKey(parsed.Headers[0].KeyID)
	if !ok {
		return false
	}
	var claims josejwt.Claims
	if parsed.Claims(key, &claims) != nil {
		return false
	}
	return claims.ValidateWithLeeway(josejwt.Expected{Time: time.Now()}, time.Minute) == nil
}

// introCache is the fault that keeps a revoked token active: answers
// remembered per token from the first time it was seen active.
type introCache struct {
	mu   sync.Mutex
	body map[string]cached
	aud  map[string]cachedAud
}

type cached struct {
	at   time.Time
	body []byte
}

type cachedAud struct {
	at  time.Time
	aud []string
}

func newIntroCache() *introCache {
	return &introCache{body: map[string]cached{}, aud: map[string]cachedAud{}}
}

func (c *introCache) get(tok string, ttl time.Duration) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.body[tok]
	return e.body, ok && ttl > 0 && time.Since(e.at) < ttl
}

func (c *introCache) put(tok string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.body[tok]; !ok {
		c.body[tok] = cached{at: time.Now(), body: bytes.Clone(body)}
	}
}

func (c *introCache) audience(tok string, ttl time.Duration) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.aud[tok]
	return e.aud, ok && ttl > 0 && time.Since(e.at) < ttl
}

func (c *introCache) putAudience(tok string, aud []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.aud[tok]; !ok {
		c.aud[tok] = cachedAud{at: time.Now(), aud: aud}
	}
}

// recorder writes through to w and keeps a copy of the body.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func newRecorder(w http.ResponseWriter) *recorder { return &recorder{ResponseWriter: w} }

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func asRFC(err error, target **fosite.RFC6749Error) bool { return errors.As(err, target) }
