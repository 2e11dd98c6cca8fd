package checks

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// JWT is the decoded header and claims of a JWS compact token, read WITHOUT
// verifying its signature: the monitor judges what a token says, never
// whether to trust it. It holds no secret: the token itself and its
// signature are not kept, only claims that are safe to show.
type JWT struct {
	Alg      string   // header "alg"
	Kid      string   // header "kid"
	Typ      string   // header "typ"
	Issuer   string   // "iss"
	Audience []string // "aud", a string or an array of strings
	// ExpiresAt, IssuedAt and NotBefore are zero when the claim is absent.
	ExpiresAt time.Time
	IssuedAt  time.Time
	NotBefore time.Time
	// HasAlg tells an absent "alg" from an empty one.
	HasAlg bool
}

// jwtHeader and jwtClaims are the members DecodeJWT reads; every other
// member is ignored so that a large or nested claim costs nothing.
type jwtHeader struct {
	Alg *string `json:"alg"`
	Kid string  `json:"kid"`
	Typ string  `json:"typ"`
}

type jwtClaims struct {
	Iss string          `json:"iss"`
	Aud json.RawMessage `json:"aud"`
	Exp json.Number     `json:"exp"`
	Iat json.Number     `json:"iat"`
	Nbf json.Number     `json:"nbf"`
}

// DecodeJWT decodes a JWS compact token (header.payload.signature) without
// verification. It reports false for anything else: an opaque token, a JWE
// (five parts), or segments that are not base64url JSON objects.
func DecodeJWT(tok string) (JWT, bool) {
	h, c, ok := jwtSegments(tok)
	if !ok {
		return JWT{}, false
	}
	var hdr jwtHeader
	var cl jwtClaims
	if !decodeSegment(h, &hdr) || !decodeSegment(c, &cl) {
		return JWT{}, false
	}
	j := JWT{Kid: hdr.Kid, Typ: hdr.Typ, Issuer: cl.Iss}
	if hdr.Alg != nil {
		j.Alg, j.HasAlg = *hdr.Alg, true
	}
	j.Audience = audience(cl.Aud)
	j.ExpiresAt, j.IssuedAt, j.NotBefore = numericDate(cl.Exp), numericDate(cl.Iat), numericDate(cl.Nbf)
	return j, true
}

// jwtSegments splits a compact JWS into its header and payload segments.
func jwtSegments(tok string) (header, payload string, ok bool) {
	header, rest, ok1 := strings.Cut(tok, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sig, ".") || header == "" || payload == "" {
		return "", "", false
	}
	return header, payload, true
}

// decodeSegment base64url-decodes a segment (padding tolerated) and reads
// it as a JSON object into v.
func decodeSegment(seg string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil || len(raw) == 0 || raw[0] != '{' {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v) == nil
}

// audience reads "aud": one string or an array of strings (RFC 7519 §4.1.3).
func audience(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}

// numericDate reads a NumericDate (seconds since the epoch, possibly
// fractional); absent or unreadable gives the zero time.
func numericDate(n json.Number) time.Time {
	if n == "" {
		return time.Time{}
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// ForgeNone rewrites a JWT with the header's alg set to "none" and an empty
// signature, keeping every claim: the token a server that honours alg none
// would accept (RFC 8725 §3.1). False when tok is not a JWS compact token.
func ForgeNone(tok string) (string, bool) {
	h, c, ok := jwtSegments(tok)
	if !ok {
		return "", false
	}
	var hdr map[string]any
	if !decodeSegment(h, &hdr) {
		return "", false
	}
	var claims map[string]any
	if !decodeSegment(c, &claims) {
		return "", false
	}
	hdr["alg"] = "none"
	b, err := json.Marshal(hdr)
	if err != nil {
		return "", false
	}
	return base64.RawURLEncoding.EncodeToString(b) + "." + c + ".", true
}
