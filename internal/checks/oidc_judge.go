package checks

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"slices"
	"strings"
	"time"
)

// idTokenLeeway is the clock skew allowed on the ID token's exp.
const idTokenLeeway = 2 * time.Minute

// idClaims are the ID token claims the check judges (OIDC Core §2,
// §3.1.3.7).
type idClaims struct {
	Iss    string          `json:"iss"`
	Aud    json.RawMessage `json:"aud"`
	Azp    *string         `json:"azp"`
	Exp    json.Number     `json:"exp"`
	Nonce  *string         `json:"nonce"`
	AtHash *string         `json:"at_hash"`
}

// judgeIDToken judges the code exchange's ID token: C24.iss, .aud, .azp,
// .exp, .nonce, .at_hash.
func judgeIDToken(doc map[string]any, issuer, clientID, nonce string) []Assertion {
	k := ProbeCodeExchange
	idt, _ := jsonPath(doc, "id_token")
	at, _ := jsonPath(doc, "access_token")
	h, c, ok := jwtSegments(idt)
	var hdr jwtHeader
	var cl idClaims
	if !ok || !decodeSegment(h, &hdr) || !decodeSegment(c, &cl) {
		return []Assertion{check("C24.iss", false, "an ID token that is a signed JWT", "one that does not decode", k)}
	}
	aud := audience(cl.Aud)
	out := []Assertion{
		check("C24.iss", cl.Iss == issuer, "iss "+issuer+" (the discovery document's issuer)", "iss "+quoteOr(cl.Iss), k),
		check("C24.aud", slices.Contains(aud, clientID), "aud containing "+clientID, "aud "+strings.Join(aud, ", "), k),
		judgeAzp(cl.Azp, aud, clientID),
		judgeExp(cl.Exp),
	}
	switch {
	case cl.Nonce == nil:
		out = append(out, check("C24.nonce", false, "the nonce sent", "no nonce", k))
	default:
		out = append(out, check("C24.nonce", *cl.Nonce == nonce, "the nonce sent", nonceGot(*cl.Nonce == nonce), k))
	}
	return append(out, judgeAtHash(cl.AtHash, hdr, at))
}

func quoteOr(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func nonceGot(same bool) string {
	if same {
		return "the nonce sent"
	}
	return "a different nonce"
}

// judgeAzp: azp, when present, is the client; with several audiences it
// must be present (OIDC Core §2, §3.1.3.7 items 4 and 5).
func judgeAzp(azp *string, aud []string, clientID string) Assertion {
	k := ProbeCodeExchange
	switch {
	case azp != nil:
		return check("C24.azp", *azp == clientID, "azp "+clientID, "azp "+quoteOr(*azp), k)
	case len(aud) > 1:
		return check("C24.azp", false, "azp "+clientID+" (the token has several audiences)", "no azp", k)
	}
	return check("C24.azp", true, "azp absent or "+clientID, "no azp, one audience", k)
}

func judgeExp(exp json.Number) Assertion {
	k := ProbeCodeExchange
	if exp == "" {
		return check("C24.exp", false, "exp in the future", "no exp", k)
	}
	t := numericDate(exp)
	return check("C24.exp", t.Add(idTokenLeeway).After(time.Now()), "exp in the future", "exp "+t.UTC().Format(time.RFC3339), k)
}

// judgeAtHash: at_hash, when present, is the left half of the access
// token's hash with the ID token's alg (OIDC Core §3.1.3.6, §3.2.2.9); in
// the code flow it is optional.
func judgeAtHash(atHash *string, hdr jwtHeader, accessToken string) Assertion {
	k := ProbeCodeExchange
	if atHash == nil {
		a := check("C24.at_hash", true, "at_hash absent or matching the access token", "no at_hash (optional in the code flow)", k)
		return a
	}
	alg := ""
	if hdr.Alg != nil {
		alg = *hdr.Alg
	}
	var h hash.Hash
	switch {
	case strings.HasSuffix(alg, "384"):
		h = sha512.New384()
	case strings.HasSuffix(alg, "512"), alg == "EdDSA":
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	want := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
	got := "an at_hash that does not match"
	if *atHash == want {
		got = "a matching at_hash"
	}
	return check("C24.at_hash", *atHash == want, "at_hash matching the access token", got, k)
}
