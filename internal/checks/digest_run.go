package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// digestAuthorize answers a Digest challenge for req: it asks the target
// for a fresh challenge (the same request without credentials), computes
// the answer and puts it on req. The redactor learns HA1 and the whole
// header before anything is recorded. With no Digest challenge to answer,
// req goes without credentials and the error says why, unless the target
// let the request in without any.
func (r *protectedRun) digestAuthorize(ctx context.Context, hc *http.Client, req *http.Request, c Credential) error {
	pre, err := newRequest(ctx, req.Method, r.ch.URL, r.ch.Headers, nil)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	x := send(hc, pre, r.maxBody)
	if x.err != nil {
		return fmt.Errorf("digest: asking for a challenge: %w", x.err)
	}
	cs, _ := ParseChallenges(x.header.Values("WWW-Authenticate"))
	r.seeNonces(cs)
	a, err := answerDigest(cs, c, req.Method, req.URL.RequestURI(), randomHex(16))
	switch {
	case errors.Is(err, errNoDigest) && is2xx(x.status):
		// Open to anyone: the request goes without credentials, and the
		// other probes report the bypass (B1, B2), not this one.
		return nil
	case err != nil:
		return fmt.Errorf("digest: %w (status %d)", err, x.status)
	}
	r.red.Add(a.secrets...)
	req.Header.Set("Authorization", a.header)
	return nil
}

// seeNonces remembers the Digest nonces of one answer and reports those
// the run had seen before: RFC 7616 §3.3 asks for a nonce "uniquely
// generated each time a 401 response is made".
//
// One answer may offer the same nonce in several challenges, one per
// algorithm (as RFC 7616 §3.9.1's example does): only earlier answers count.
func (r *protectedRun) seeNonces(cs []Challenge) (reused []string, before int) {
	before = len(r.nonces)
	for _, c := range cs {
		n, ok := c.Param("nonce")
		if !ok || !asciiEqualFold(c.Scheme, "Digest") || slices.Contains(r.nonces[before:], n) {
			continue
		}
		if slices.Contains(r.nonces[:before], n) {
			reused = append(reused, n)
		}
		r.nonces = append(r.nonces, n)
	}
	return reused, before
}

// judgeNonce is C25.nonce on a refusal carrying Digest challenges, once
// the run has seen an earlier challenge to compare with.
func (r *protectedRun) judgeNonce(p *ProbeResult) {
	reused, before := r.seeNonces(p.Challenges)
	if before == 0 || !slices.ContainsFunc(p.Challenges, func(c Challenge) bool {
		_, ok := c.Param("nonce")
		return ok && asciiEqualFold(c.Scheme, "Digest")
	}) {
		return
	}
	got := fmt.Sprintf("a nonce not seen in the %d earlier challenges of this run", before)
	if len(reused) > 0 {
		got = fmt.Sprintf("the nonce of an earlier challenge again (%d earlier challenges)", before)
	}
	p.Assertions = append(p.Assertions, check("C25.nonce", len(reused) == 0,
		"a fresh nonce in every Digest challenge", got, p.Kind))
}

// errDigest is a valid probe that could not answer the target's challenge:
// the request was never sent with credentials.
type errDigest struct{ err error }

func (e errDigest) Error() string { return e.err.Error() }
func (e errDigest) Unwrap() error { return e.err }

// digestUnanswered is A2 for a valid probe with no challenge it could
// answer: the service does not work for a Digest client with these
// credentials, which is no transport failure (A0).
func digestUnanswered(p *ProbeResult) Assertion {
	a := assertion("A2")
	a.Expected, a.Got = "a Digest challenge authmon can answer", p.Error
	a.Reason = ProbeValid.Phrase() + ": " + p.Error
	return a
}
