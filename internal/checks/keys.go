package checks

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// KeyHistory keeps, per jwks_uri, what the keys probe saw of each key
// across runs: when it was first and last published, when it was removed,
// and the latest expiry of a token signed with it. It must be shared by
// every run (one value built at start) and should survive a restart, or a
// key removed while the monitor was down goes unnoticed.
type KeyHistory interface {
	// LoadKeys returns the records of jwksURL (none: never seen).
	LoadKeys(ctx context.Context, jwksURL string) ([]KeyRecord, error)
	// SaveKeys replaces the records of jwksURL.
	SaveKeys(ctx context.Context, jwksURL string, keys []KeyRecord) error
}

// KeyRecord is one key's history. Times are zero when it did not happen.
type KeyRecord struct {
	Kid       string // the key's kid, or "sha256:<thumbprint>" when it has none
	Kty, Alg  string
	FirstSeen time.Time // first run that found it published
	LastSeen  time.Time // last run that found it published
	Removed   time.Time // first run that found it gone; zero while published
	// FirstToken is the first run that obtained a token signed with it;
	// TokenExp the latest exp of such a token.
	FirstToken time.Time
	TokenExp   time.Time
}

// MemoryKeyHistory is a KeyHistory kept in memory: for one-off runs and
// tests. A long-running monitor keeps it in the store.
type MemoryKeyHistory struct {
	mu   sync.Mutex
	sets map[string][]KeyRecord
}

// NewMemoryKeyHistory returns an empty history.
func NewMemoryKeyHistory() *MemoryKeyHistory {
	return &MemoryKeyHistory{sets: map[string][]KeyRecord{}}
}

// LoadKeys implements KeyHistory.
func (m *MemoryKeyHistory) LoadKeys(_ context.Context, jwksURL string) ([]KeyRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]KeyRecord(nil), m.sets[jwksURL]...), nil
}

// SaveKeys implements KeyHistory.
func (m *MemoryKeyHistory) SaveKeys(_ context.Context, jwksURL string, keys []KeyRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sets[jwksURL] = append([]KeyRecord(nil), keys...)
	return nil
}

// publishedKey is one usable key of a JWKS, with its identity.
type publishedKey struct {
	id  string
	kty string
	jwk jose.JSONWebKey
}

// parseJWKS reads a JWK Set key by key (RFC 7517 §5), so that one key of
// a type the library does not know does not hide the others; such keys
// are listed with their kty and no key to verify with.
func parseJWKS(body []byte) ([]publishedKey, bool) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(body, &set) != nil || set.Keys == nil {
		return nil, false
	}
	out := make([]publishedKey, 0, len(set.Keys))
	for _, raw := range set.Keys {
		var meta struct{ Kid, Kty string }
		_ = json.Unmarshal(raw, &meta)
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil {
			out = append(out, publishedKey{id: meta.Kid, kty: meta.Kty})
			continue
		}
		id := k.KeyID
		if id == "" {
			if tp, err := k.Thumbprint(crypto.SHA256); err == nil {
				id = "sha256:" + base64.RawURLEncoding.EncodeToString(tp)
			}
		}
		out = append(out, publishedKey{id: id, kty: meta.Kty, jwk: k})
	}
	return out, true
}

// keysProbe fetches the issuer's JWKS (from jwks_uri, or the discovery
// document's), checks every JWT the run obtained against it, and compares
// the key set with its history. The evidence is the JWKS request.
func (r *lifeRun) keysProbe() ProbeResult {
	k := ProbeKeys
	uri := r.life.JWKSURL
	if uri == "" {
		var p ProbeResult
		if uri, p = r.jwksFromDiscovery(); uri == "" {
			return p
		}
	}
	p, x := sendProbe(r.ctx, r.hc, r.ch, k, outgoing{method: http.MethodGet, url: uri,
		prepare: func(req *http.Request) { req.Header.Set("Accept", "application/json") }})
	if x.err != nil {
		return p
	}
	keys, ok := parseJWKS(x.body)
	a6 := check("A6", p.Status == 200 && ok && len(keys) > 0, "200 with a JWK Set holding at least one key", jwksWords(&p, keys, ok), k)
	if !a6.Pass {
		return withAppended(p, a6)
	}
	now := time.Now().UTC()
	prev, err := r.keys.LoadKeys(r.ctx, uri)
	if err != nil {
		a := check("A6.removed", false, "the key history", "unreadable: "+err.Error(), k)
		a.Severity = SevWarn
		return withAppended(p, a6, a)
	}
	next, as := judgeKeys(k, prev, keys, r.jwts, now)
	if err := r.keys.SaveKeys(r.ctx, uri, next); err != nil {
		a := check("A6.removed", false, "the key history saved", "not saved: "+err.Error(), k)
		a.Severity = SevWarn
		as = append(as, a)
	}
	a6.Got += keyChanges(prev, next, now)
	return withAppended(p, append([]Assertion{a6}, as...)...)
}

// jwksFromDiscovery reads jwks_uri from the discovery document; on failure
// the probe result says why.
func (r *lifeRun) jwksFromDiscovery() (string, ProbeResult) {
	k := ProbeKeys
	p, x := sendProbe(r.ctx, r.hc, r.ch, k, outgoing{method: http.MethodGet, url: r.life.DiscoveryURL,
		prepare: func(req *http.Request) { req.Header.Set("Accept", "application/json") }})
	if x.err != nil {
		return "", p
	}
	doc, _ := jsonObject(x.body)
	uri, _ := jsonPath(doc, "jwks_uri")
	if p.Status != 200 || uri == "" {
		return "", withAppended(p, check("A6", false, "a discovery document naming its jwks_uri",
			gotStatus(&p)+" without a jwks_uri", k))
	}
	return uri, p
}

func jwksWords(p *ProbeResult, keys []publishedKey, ok bool) string {
	switch {
	case p.Status != 200:
		return gotStatus(p)
	case !ok:
		return "a body that is not a JWK Set"
	case len(keys) == 0:
		return "an empty JWK Set"
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = fmt.Sprintf("%q", clip(k.id))
	}
	return fmt.Sprintf("%d keys published (kid %s)", len(keys), strings.Join(ids, ", "))
}
