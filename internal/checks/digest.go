package checks

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
)

// DigestAlgorithms are the algorithms of RFC 7616 §6.1 authmon answers,
// in the order it prefers them when the target offers several.
var DigestAlgorithms = []string{"SHA-512-256", "SHA-256", "SHA-512-256-sess", "SHA-256-sess", "MD5", "MD5-sess"}

// digestAnswer is an Authorization: Digest value and the secrets it was
// made from, which the run's redactor must learn before anything is recorded.
type digestAnswer struct {
	header  string
	secrets []string // HA1, user:realm:password, the header itself
}

// digestHash returns the hash function of an algorithm (without "-sess").
func digestHash(alg string) func() hash.Hash {
	switch strings.TrimSuffix(strings.ToUpper(alg), "-SESS") {
	case "MD5":
		return md5.New
	case "SHA-256":
		return sha256.New
	case "SHA-512-256":
		return sha512.New512_256
	}
	return nil
}

// digestAlgorithm is the challenge's algorithm: MD5 when it names none
// (RFC 7616 §3.3).
func digestAlgorithm(c Challenge) string {
	if alg, ok := c.Param("algorithm"); ok {
		return alg
	}
	return "MD5"
}

// digestQops lists the challenge's qop options ("auth", "auth-int").
func digestQops(c Challenge) []string {
	v, _ := c.Param("qop")
	var out []string
	for q := range strings.SplitSeq(v, ",") {
		if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
			out = append(out, q)
		}
	}
	return out
}

var errNoDigest = errors.New("the target sent no Digest challenge")

// pickDigest chooses the Digest challenge to answer: the configured
// algorithm, else the strongest offered that authmon computes. A challenge
// with a qop must offer "auth": authmon does not send auth-int.
func pickDigest(cs []Challenge, want string) (Challenge, error) {
	var offered []string
	var best Challenge
	rank := len(DigestAlgorithms)
	for _, c := range cs {
		if !strings.EqualFold(c.Scheme, "Digest") {
			continue
		}
		alg := digestAlgorithm(c)
		offered = append(offered, alg)
		qops := digestQops(c)
		if len(qops) > 0 && !slices.Contains(qops, "auth") {
			continue
		}
		i := slices.IndexFunc(DigestAlgorithms, func(a string) bool { return strings.EqualFold(a, alg) })
		if i < 0 || want != "" && !strings.EqualFold(want, alg) {
			continue
		}
		if i < rank {
			best, rank = c, i
		}
	}
	switch {
	case len(offered) == 0:
		return Challenge{}, errNoDigest
	case rank == len(DigestAlgorithms) && want != "":
		return Challenge{}, fmt.Errorf("the target offers no Digest challenge with algorithm %s and qop auth (offered: %s)", want, strings.Join(offered, ", "))
	case rank == len(DigestAlgorithms):
		return Challenge{}, fmt.Errorf("the target offers no Digest algorithm authmon computes with qop auth (offered: %s)", strings.Join(offered, ", "))
	}
	return best, nil
}

// answerDigest computes the Authorization value answering a Digest
// challenge for one request (RFC 7616 §3.4): qop auth with a fresh cnonce
// and nc 1, or the RFC 2069 form when the challenge names no qop.
func answerDigest(cs []Challenge, c Credential, method, uri, cnonce string) (digestAnswer, error) {
	ch, err := pickDigest(cs, c.Algorithm)
	if err != nil {
		return digestAnswer{}, err
	}
	alg := digestAlgorithm(ch)
	newHash := digestHash(alg)
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	realm, _ := ch.Realm()
	nonce, _ := ch.Param("nonce")
	qop := len(digestQops(ch)) > 0
	sess := strings.HasSuffix(strings.ToLower(alg), "-sess")
	if sess && !qop {
		return digestAnswer{}, fmt.Errorf("the %s challenge names no qop, which a -sess algorithm needs for its cnonce", alg)
	}
	a1 := c.Username + ":" + realm + ":" + c.Password
	ha1 := h(a1)
	secrets := []string{a1, ha1}
	if sess {
		ha1 = h(ha1 + ":" + nonce + ":" + cnonce)
		secrets = append(secrets, ha1)
	}
	ha2 := h(method + ":" + uri)
	const nc = "00000001"
	response := h(ha1 + ":" + nonce + ":" + ha2)
	if qop {
		response = h(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	}
	user := c.Username
	if uh, _ := ch.Param("userhash"); strings.EqualFold(uh, "true") {
		user = h(c.Username + ":" + realm) // RFC 7616 §3.4.4
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Digest username=%s, realm=%s, nonce=%s, uri=%s, algorithm=%s, response=%s",
		quote(user), quote(realm), quote(nonce), quote(uri), alg, quote(response))
	if qop {
		fmt.Fprintf(&b, ", qop=auth, nc=%s, cnonce=%s", nc, quote(cnonce))
	}
	if opaque, ok := ch.Param("opaque"); ok {
		fmt.Fprintf(&b, ", opaque=%s", quote(opaque))
	}
	if user != c.Username {
		b.WriteString(", userhash=true")
	}
	return digestAnswer{header: b.String(), secrets: append(secrets, b.String())}, nil
}

// quote writes a quoted-string (RFC 9110 §5.6.4).
func quote(v string) string {
	var b strings.Builder
	writeQuoted(&b, v)
	return b.String()
}
