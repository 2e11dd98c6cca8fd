package fositetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"

	jose "github.com/go-jose/go-jose/v3"
)

// keyRing is the server's signing keys: the one it signs with and the ones
// its jwks_uri publishes. A healthy rotation publishes the next key before
// signing with it and keeps the old one published while tokens signed
// with it are valid; the faults do neither.
type keyRing struct {
	mu        sync.Mutex
	keys      map[string]*jose.JSONWebKey // every key ever made, by kid
	signing   string                      // kid of the key that signs
	published []string                    // kids the JWKS lists, in order
	next      int
}

func newKeyRing() *keyRing {
	r := &keyRing{keys: map[string]*jose.JSONWebKey{}}
	kid := r.newKey()
	r.signing, r.published = kid, []string{kid}
	return r
}

// newKey makes an ES256 key (fast to generate) and returns its kid.
func (r *keyRing) newKey() string {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err) // the system's randomness failed: nothing to test
	}
	r.next++
	kid := fmt.Sprintf("key-%d", r.next)
	r.keys[kid] = &jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"}
	return kid
}

// signer is fosite's key getter: the key that signs now.
func (r *keyRing) signer(context.Context) (interface{}, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keys[r.signing], nil
}

// Publish makes a new key and publishes it without signing with it yet:
// the first half of a safe rotation. It returns the new kid.
func (s *Server) Publish() string {
	r := s.keys
	r.mu.Lock()
	defer r.mu.Unlock()
	kid := r.newKey()
	r.published = append(r.published, kid)
	return kid
}

// SignWith makes kid the signing key. A kid never published before is
// published at the same moment: tokens signed with it reach clients whose
// cached key set cannot know it (no overlap window).
func (s *Server) SignWith(kid string) {
	r := s.keys
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.published, kid) {
		r.published = append(r.published, kid)
	}
	r.signing = kid
}

// NewSigningKey makes a key and signs with it at once, publishing it in
// the same moment: the "key used before it was published" breakage.
func (s *Server) NewSigningKey() string {
	r := s.keys
	r.mu.Lock()
	kid := r.newKey()
	r.mu.Unlock()
	s.SignWith(kid)
	return kid
}

// Unpublish removes kid from the JWKS (whether or not tokens signed with
// it are still valid).
func (s *Server) Unpublish(kid string) {
	r := s.keys
	r.mu.Lock()
	defer r.mu.Unlock()
	r.published = slices.DeleteFunc(r.published, func(k string) bool { return k == kid })
}

// SigningKid is the kid of the key that signs now.
func (s *Server) SigningKid() string {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return s.keys.signing
}

// serveJWKS publishes the public halves of the published keys.
func (r *keyRing) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	r.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, kid := range r.published {
		set.Keys = append(set.Keys, r.keys[kid].Public())
	}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

// publicKey returns the public key of a published kid, for the resource
// server that verifies JWTs itself.
func (r *keyRing) publicKey(kid string) (*jose.JSONWebKey, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.published, kid) {
		return nil, false
	}
	k := r.keys[kid].Public()
	return &k, true
}
