package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// probe runs one probe of the matrix and judges it, returning the
// transport error for A4. It reports false when the probe does not apply
// to the check's credentials (see offerFor): it is then left out.
func (r *protectedRun) probe(spec ProbeSpec) (ProbeResult, error, bool) {
	if spec.Scheme == "" && spec.Kind != ProbeValid {
		spec.Scheme = schemeFor(r.cred)
	}
	if spec.Kind == ProbeValid && r.credErr != nil {
		return r.noCredential(), nil, true
	}
	o, ok := offerFor(spec.Kind, r.cred, spec)
	if !ok {
		return ProbeResult{}, nil, false
	}
	switch spec.Kind {
	case ProbeExpired, ProbeScope, ProbeForged:
		// A configured token, or one derived from the valid one: the
		// check's redactor learns it once when the configuration alone
		// determines it, the run's when it comes from an obtained token.
		red := r.red
		if r.checkRed != nil && (spec.Kind != ProbeForged || r.ch.Auth.Source == nil) {
			red = r.checkRed
		}
		red.Add(secretOf(o.cred))
	}
	if user, failsLogin := failedLoginOf(spec.Kind, o); failsLogin {
		if skip, ok := r.gate.spend(r.ctx, user, 1, spec.Kind, r.method(), r.ch.URL); !ok {
			return skip, nil, true
		}
	}
	// The answer's body is judged only for the valid probe's body_contains
	// and json; otherwise only its excerpt is recorded.
	keep := int64(BodyExcerpt + 1)
	if spec.Kind == ProbeValid && (spec.BodyContains != "" || len(spec.JSON) > 0) {
		keep = r.maxBody + 1
	}
	p, x := r.send(spec.Kind, o, keep)
	if spec.Kind == ProbeValid && r.ch.Auth.Source != nil && x.err == nil &&
		(x.status == http.StatusUnauthorized || x.status == http.StatusForbidden) {
		// A cached token the target no longer takes: log in again, once.
		r.ch.Auth.Source.Invalidate(r.cred)
		r.obtain()
		if r.credErr != nil {
			return r.noCredential(), nil, true
		}
		p, x = r.send(spec.Kind, offer{cred: r.cred}, keep)
	}
	r.judge(spec, &p, x)
	return p, x.err, true
}

// noCredential is the valid probe when its credential could not be
// obtained: nothing was sent, and the check cannot do its job.
func (r *protectedRun) noCredential() ProbeResult {
	why := describeError(r.credErr, r.timeout, r.maxBody)
	from := "could not obtain credentials"
	if r.ch.Auth.Set != "" {
		from += fmt.Sprintf(" of %q", r.ch.Auth.Set)
	}
	p := ProbeResult{Kind: ProbeValid, Method: r.method(), URL: r.ch.URL, Error: from + ": " + why}
	a := assertion("A2")
	a.Expected, a.Got, a.Reason = "credentials to present", p.Error, ProbeValid.Phrase()+": "+p.Error
	p.Assertions = []Assertion{a}
	return p
}

// send sends one probe's request: the check's method, URL and headers,
// with the offer's credentials, through a client presenting its
// certificate when it has one. It keeps the first keep bytes of the body.
func (r *protectedRun) send(k ProbeKind, o offer, keep int64) (ProbeResult, exchange) {
	p := ProbeResult{Kind: k, Method: r.method(), URL: r.ch.URL}
	hc := r.hc
	if o.cred.Kind == AuthMTLS {
		c, err := certClient(r.hc, o.cred.Cert)
		if err != nil {
			p.Error = err.Error()
			return p, exchange{err: err}
		}
		hc = c
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	req, err := newRequest(ctx, p.Method, r.ch.URL, r.ch.Headers, nil)
	if err != nil {
		p.Error = "cannot build the request: " + err.Error()
		return p, exchange{err: err}
	}
	o.apply(req)
	if o.cred.Kind == AuthDigest && !o.malformed {
		if err := r.digestAuthorize(ctx, hc, req, o.cred); err != nil && k == ProbeValid {
			p.Error = err.Error()
			return p, exchange{err: errDigest{err}}
		}
	}
	x := sendKeeping(hc, req, r.maxBody, keep)
	x.fill(&p, r.timeout, r.maxBody)
	return p, x
}

// judge sets the probe's assertions from its answer.
func (r *protectedRun) judge(spec ProbeSpec, p *ProbeResult, x exchange) {
	switch {
	case x.err != nil && spec.Kind != ProbeValid && r.cred.Kind == AuthMTLS && handshakeRefused(x.err):
		p.Assertions = refusedAtHandshake(spec, p.Error)
	case errors.As(x.err, new(errDigest)):
		p.Assertions = []Assertion{digestUnanswered(p)}
	case x.err != nil:
		p.Assertions = []Assertion{unreachable(spec.Kind, p.Error)}
	case r.rl.throttled(r.ch.Name, p, x.header):
	default:
		p.Assertions = judge(spec, p, x.body)
		r.resourceMetadata(p)
		if r.cred.Kind == AuthDigest && spec.Kind != ProbeValid {
			r.judgeNonce(p)
		}
	}
	if spec.Kind == ProbeValid && r.ch.Auth.Source == nil {
		// A configured token is judged as configured (B9.expiry); tokens a
		// Source issues are judged by the login or token check that gets them.
		var as []Assertion
		if r.memo != nil {
			as = r.memo.judgeConfiguredJWT(ProbeValid, secretOf(r.cred), r.ch.JWT, time.Now())
		} else {
			as = JudgeJWT(ProbeValid, secretOf(r.cred), r.ch.JWT, time.Now(), false)
		}
		p.Assertions = append(p.Assertions, as...)
	}
}
