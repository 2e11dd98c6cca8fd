package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"
)

// The sample API issues ES256 JWTs (RFC 7519, RFC 7518 §3.4). The P-256 key
// is derived from the configured [demo] secrets rather than generated at
// start, and signatures are deterministic (RFC 6979): the same [demo]
// section always yields the same key and the same static tokens, so the
// expired and under-scoped tokens pasted into checks.example.toml stay
// valid across restarts, and /jwks.json publishes the real public key. (A
// shortcut only a demo may take: whoever knows the [demo] secrets can mint
// tokens. A real issuer keeps a random key secret and rotates it.)

// claims are the members of the sample API's tokens.
type claims struct {
	Iss   string `json:"iss"`
	Sub   string `json:"sub"`
	Aud   string `json:"aud"`
	Scope string `json:"scope,omitempty"` // space-delimited, RFC 6749 §3.3
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
	Jti   string `json:"jti,omitempty"`
}

// audience is the aud of every token the sample API issues.
const audience = "authmon-demo"

var (
	errInvalidToken = errors.New("The access token is invalid")
	errExpiredToken = errors.New("The access token expired")
)

// signer signs and verifies the sample API's tokens.
type signer struct {
	key *ecdsa.PrivateKey
	kid string // the RFC 7638 thumbprint of the public key
}

// newSigner derives a P-256 key from seed: SHA-256 of the seed is the
// private scalar, rehashed in the (about 2^-32) case it is out of range.
func newSigner(seed ...string) (*signer, error) {
	h := sha256.New()
	h.Write([]byte("authmon demo ES256 key"))
	for _, s := range seed {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	d := h.Sum(nil)
	for range 8 {
		key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
		if err == nil {
			s := &signer{key: key}
			s.kid = thumbprint(s.jwk())
			return s, nil
		}
		next := sha256.Sum256(d)
		d = next[:]
	}
	return nil, errors.New("demo: could not derive a signing key")
}

// jwk is the public key as a JSON Web Key (RFC 7517, RFC 7518 §6.2).
func (s *signer) jwk() map[string]string {
	pt, _ := s.key.PublicKey.Bytes() // 0x04 || X || Y; a parsed key is valid
	k := map[string]string{"kty": "EC", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:65]), "use": "sig", "alg": "ES256"}
	if s.kid != "" {
		k["kid"] = s.kid
	}
	return k
}

// thumbprint is the RFC 7638 JWK thumbprint: SHA-256 of the required
// members in lexicographic order.
func thumbprint(k map[string]string) string {
	canon := `{"crv":"` + k["crv"] + `","kty":"EC","x":"` + k["x"] + `","y":"` + k["y"] + `"}`
	sum := sha256.Sum256([]byte(canon))
	return b64(sum[:])
}

// sign returns the compact JWS of c.
func (s *signer) sign(c claims) string {
	hdr, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": s.kid})
	body, _ := json.Marshal(c)
	input := b64(hdr) + "." + b64(body)
	digest := sha256.Sum256([]byte(input))
	der, err := s.key.Sign(nil, digest[:], crypto.SHA256) // nil: deterministic, RFC 6979
	var rs struct{ R, S *big.Int }
	if err == nil {
		_, err = asn1.Unmarshal(der, &rs)
	}
	if err != nil { // cannot happen with a valid P-256 key
		panic("demo: ES256 signing failed: " + err.Error())
	}
	sig := make([]byte, 64) // JWS wants R || S, 32 bytes each (RFC 7518 §3.4)
	rs.R.FillBytes(sig[:32])
	rs.S.FillBytes(sig[32:])
	return input + "." + b64(sig)
}

// verify checks a token's algorithm (ES256 only: "none", HS256 and anything
// else are refused, RFC 8725 §3.1), signature, issuer, audience and expiry.
func (s *signer) verify(tok, issuer string, now time.Time) (claims, error) {
	var c claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, errInvalidToken
	}
	var hdr struct{ Alg string }
	if !decode(parts[0], &hdr) || hdr.Alg != "ES256" {
		return c, errInvalidToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return c, errInvalidToken
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(&s.key.PublicKey, digest[:], r, ss) || !decode(parts[1], &c) {
		return c, errInvalidToken
	}
	if c.Iss != issuer || c.Aud != audience || c.Exp == 0 {
		return c, errInvalidToken
	}
	if now.Unix() >= c.Exp {
		return c, errExpiredToken
	}
	return c, nil
}

// hasScope reports whether the space-delimited scope list holds want.
func (c claims) hasScope(want string) bool {
	for sc := range strings.FieldsSeq(c.Scope) {
		if sc == want {
			return true
		}
	}
	return false
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decode(seg string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	return err == nil && json.Unmarshal(b, v) == nil
}
