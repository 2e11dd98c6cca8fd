package checks

import (
	"fmt"
	"slices"
	"strings"
)

// digestRules is C25 on a Digest challenge (RFC 7616 §3.3): it names its
// realm and a nonce (C25), an algorithm authmon can answer (C25.algorithm),
// offers qop "auth" (C25.qop), and does not call the nonce stale when the
// request carried none or a fresh one (C25.stale). C25.nonce, a fresh
// nonce per challenge, needs the run's earlier challenges: judgeNonce.
func digestRules(c Challenge, k ProbeKind) []Assertion {
	realm, hasRealm := c.Realm()
	nonce, hasNonce := c.Param("nonce")
	var missing []string
	if !hasRealm {
		missing = append(missing, "no realm")
	}
	if !hasNonce || nonce == "" {
		missing = append(missing, "no nonce")
	}
	got := fmt.Sprintf("realm %q and a nonce", realm)
	if len(missing) > 0 {
		got = strings.Join(missing, ", ")
	}
	out := []Assertion{check("C25", len(missing) == 0, "a realm and a nonce", got, k)}
	alg := digestAlgorithm(c)
	out = append(out, check("C25.algorithm", digestHash(alg) != nil,
		"an algorithm of RFC 7616 §6.1 (MD5, SHA-256, SHA-512-256 or their -sess forms)", "algorithm="+clip(alg), k))
	qops := digestQops(c)
	qopGot := "no qop (the RFC 2069 form, without a client nonce)"
	if v, ok := c.Param("qop"); ok {
		qopGot = fmt.Sprintf("qop=%q", clip(v))
	}
	out = append(out, check("C25.qop", slices.Contains(qops, "auth"), `qop="auth"`, qopGot, k))
	if stale, ok := c.Param("stale"); ok {
		out = append(out, check("C25.stale", strings.EqualFold(stale, "false"),
			"no stale=true: this request carried no nonce the server gave out and let expire",
			"stale="+clip(stale), k))
	}
	return out
}
