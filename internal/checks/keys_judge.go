package checks

import (
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keepRemovedKeys is how long a removed key's record is kept once no
// token signed with it can still be valid.
const keepRemovedKeys = 30 * 24 * time.Hour

// asymmetricAlgs are the JWS algorithms a published key can verify.
var asymmetricAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384,
	jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// judgeKeys compares the published keys with their history and with the
// JWTs of the run, and returns the updated history:
//   - A6.kid: every JWT's kid is published with a key usable for its alg,
//     and the signature verifies (RFC 7515 §4.1.4, RFC 7517 §4.4, §4.5);
//   - A6.removed: no key left the set while a token signed with it, seen
//     by an earlier run, is still valid (clients would refuse it);
//   - A6.overlap: no token is signed by a key that was not published in
//     an earlier run (clients with a cached key set refuse it until they
//     refetch: the next key is published before it signs, OIDC Core §10.1.1).
//
// With no history yet (the first run against this jwks_uri) the last two
// cannot be told and are not judged.
func judgeKeys(k ProbeKind, prev []KeyRecord, keys []publishedKey, jwts []string, now time.Time) ([]KeyRecord, []Assertion) {
	h := newKeyBook(prev)
	published := h.publish(keys, now)
	removed := h.remove(published, now)
	bad, early := h.sign(keys, jwts, len(prev) > 0, now)
	return h.kept(now), keyVerdicts(k, len(prev) > 0, len(jwts) > 0, bad, removed, early)
}

// keyBook is the history being updated, by key id, in order of first sight.
type keyBook struct {
	recs  map[string]*KeyRecord
	order []string
}

func newKeyBook(prev []KeyRecord) *keyBook {
	b := &keyBook{recs: map[string]*KeyRecord{}}
	for _, r := range prev {
		rec := r
		b.recs[r.Kid], b.order = &rec, append(b.order, r.Kid)
	}
	return b
}

// publish records the keys published now; a key back after a removal is
// new again to clients that dropped it.
func (b *keyBook) publish(keys []publishedKey, now time.Time) map[string]bool {
	published := map[string]bool{}
	for _, key := range keys {
		published[key.id] = true
		rec, ok := b.recs[key.id]
		if !ok {
			rec = &KeyRecord{Kid: key.id, FirstSeen: now}
			b.recs[key.id], b.order = rec, append(b.order, key.id)
		} else if !rec.Removed.IsZero() {
			rec.Removed, rec.FirstSeen = time.Time{}, now
		}
		rec.Kty, rec.Alg, rec.LastSeen = key.kty, key.jwk.Algorithm, now
	}
	return published
}

// remove marks keys gone since the last run, and says which of them
// signed tokens that are still valid.
func (b *keyBook) remove(published map[string]bool, now time.Time) []string {
	var early []string
	for _, id := range b.order {
		rec := b.recs[id]
		if published[id] || !rec.Removed.IsZero() {
			continue
		}
		rec.Removed = now
		if rec.TokenExp.After(now) {
			early = append(early, fmt.Sprintf("kid %q removed while a token signed with it is valid until %s",
				clip(id), stamp(rec.TokenExp)))
		}
	}
	return early
}

// sign verifies the run's JWTs against the published keys and records
// which key signed what; it returns the tokens that fail and the keys
// that sign in the run they were first published (with a history).
func (b *keyBook) sign(keys []publishedKey, jwts []string, history bool, now time.Time) (bad, early []string) {
	for _, tok := range jwts {
		kid, exp, problem, skip := verifyJWT(keys, tok)
		switch {
		case skip:
			continue
		case problem != "":
			bad = append(bad, problem)
			continue
		}
		rec := b.recs[kid]
		if history && rec.FirstSeen.Equal(now) && rec.FirstToken.IsZero() {
			early = append(early, fmt.Sprintf("kid %q signs tokens in the same run it was first published", clip(kid)))
		}
		if rec.FirstToken.IsZero() {
			rec.FirstToken = now
		}
		if exp.After(rec.TokenExp) {
			rec.TokenExp = exp
		}
	}
	return bad, early
}

func keyVerdicts(k ProbeKind, history, anyJWT bool, bad, removed, early []string) []Assertion {
	var out []Assertion
	if anyJWT {
		out = append(out, verdictList("A6.kid", "every JWT's kid published with a usable key that verifies its signature",
			"every JWT verified with a published key", bad, k))
	}
	if history {
		out = append(out, verdictList("A6.removed", "no key removed while tokens signed with it are valid",
			"no key removed early", removed, k))
		if anyJWT {
			out = append(out, verdictList("A6.overlap", "tokens signed only by keys published in an earlier run",
				"every signing key published before it signed", early, k))
		}
	}
	return out
}

func verdictList(id, want, fine string, problems []string, k ProbeKind) Assertion {
	if len(problems) == 0 {
		return check(id, true, want, fine, k)
	}
	slices.Sort(problems)
	return check(id, false, want, strings.Join(slices.Compact(problems), "; "), k)
}

// kept is the history to save: removed keys whose tokens have all long
// expired are dropped.
func (b *keyBook) kept(now time.Time) []KeyRecord {
	out := make([]KeyRecord, 0, len(b.order))
	for _, id := range b.order {
		r := *b.recs[id]
		if !r.Removed.IsZero() && now.Sub(r.Removed) > keepRemovedKeys && now.After(r.TokenExp) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// verifyJWT finds the published key of tok and verifies its signature. It
// returns the key's id and the token's exp, or why it could not; skip
// says the token is not one a published key could verify at all (an HMAC
// or unsigned JWT: B9.alg judges that).
func verifyJWT(keys []publishedKey, tok string) (kid string, exp time.Time, problem string, skip bool) {
	j, ok := DecodeJWT(tok)
	if !ok || !slices.Contains(asymmetricAlgs, jose.SignatureAlgorithm(j.Alg)) {
		return "", time.Time{}, "", true
	}
	jws, err := jose.ParseSigned(tok, asymmetricAlgs)
	if err != nil {
		return "", time.Time{}, "a JWT that does not parse as a JWS: " + clip(err.Error()), false
	}
	for _, key := range keys {
		if j.Kid != "" && key.id != j.Kid {
			continue
		}
		if !usableFor(key.jwk, j.Alg) {
			continue
		}
		if _, err := jws.Verify(key.jwk); err == nil {
			return key.id, j.ExpiresAt, "", false
		}
		if j.Kid != "" {
			return "", time.Time{}, fmt.Sprintf("kid %q (alg %s): the signature does not verify with the published key", clip(j.Kid), j.Alg), false
		}
	}
	if j.Kid == "" {
		return "", time.Time{}, fmt.Sprintf("a JWT without kid (alg %s) that no published key verifies", j.Alg), false
	}
	return "", time.Time{}, fmt.Sprintf("kid %q (alg %s) is not published with a key usable for it", clip(j.Kid), j.Alg), false
}

// usableFor: a signature key (use absent or "sig"), of a type and alg
// that fit (RFC 7517 §4.2, §4.4).
func usableFor(k jose.JSONWebKey, alg string) bool {
	if k.Key == nil || !k.Valid() || k.Use != "" && k.Use != "sig" || k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	return true
}

// keyChanges is the note on the A6 evidence: keys added and removed since
// the last run.
func keyChanges(prev, next []KeyRecord, now time.Time) string {
	if len(prev) == 0 {
		return "; first run against this key set: history starts now"
	}
	var added, removed []string
	for _, r := range next {
		if r.FirstSeen.Equal(now) {
			added = append(added, fmt.Sprintf("%q", clip(r.Kid)))
		}
		if r.Removed.Equal(now) {
			removed = append(removed, fmt.Sprintf("%q", clip(r.Kid)))
		}
	}
	note := ""
	if len(added) > 0 {
		note += "; added since the last run: " + strings.Join(added, ", ")
	}
	if len(removed) > 0 {
		note += "; removed since the last run: " + strings.Join(removed, ", ")
	}
	return note
}
