package checks

import (
	"fmt"
	"net/url"
	"time"
)

// revocation obtains a token, uses it, revokes it (RFC 7009 §2.1) and
// then polls, for at most RevocationWithin, until introspection says
// active false and the protected URL refuses it. The probe's evidence is
// the revocation request.
func (r *lifeRun) revocation() ProbeResult {
	k := ProbeRevocation
	doc, p, ok := r.grant(k, r.clientCredentials(), r.self())
	if !ok {
		return noToken(k, p, "an access_token to revoke")
	}
	tok, _ := jsonPath(doc, "access_token")
	// Use it first, as a client would: a cache in front of the resource
	// or the introspection endpoint now holds it.
	if r.life.ProtectedURL != "" {
		r.bearer(k, tok)
	}
	if r.life.IntrospectionURL != "" {
		r.introspect(tok, r.self())
	}
	p, x := r.post(k, r.life.RevocationURL, url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, r.self())
	if x.err != nil {
		return p
	}
	r.revoked = tok
	p.Assertions = append(p.Assertions, check("C22", p.Status == 200, "200 to the revocation of a valid token", gotStatus(&p), k))
	return r.untilRefused(p, tok, time.Now())
}

// untilRefused polls introspection and the protected URL with a revoked
// token until both refuse it or RevocationWithin has passed; the poll is
// bounded in count and by the run's context.
func (r *lifeRun) untilRefused(p ProbeResult, tok string, revokedAt time.Time) ProbeResult {
	within := r.life.RevocationWithin
	step := min(max(within/10, 100*time.Millisecond), time.Second)
	var intro, res *time.Duration // how long after revocation each refused
	intGot, resGot := "", ""
	for i := 0; i < 100; i++ {
		since := time.Since(revokedAt)
		if r.life.IntrospectionURL != "" && intro == nil {
			if active, got := r.introspect(tok, r.self()); !active {
				intro = &since
			} else {
				intGot = got
			}
		}
		if r.life.ProtectedURL != "" && res == nil {
			if q, _ := r.bearer(ProbeRevocation, tok); !is2xx(q.Status) && q.Error == "" {
				res = &since
			} else {
				resGot = gotStatus(&q)
			}
		}
		done := (r.life.IntrospectionURL == "" || intro != nil) && (r.life.ProtectedURL == "" || res != nil)
		if done || time.Since(revokedAt) >= within || r.ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(step):
		case <-r.ctx.Done():
		}
	}
	if r.life.IntrospectionURL != "" {
		p.Assertions = append(p.Assertions, revokedVerdict("B17.introspection", within, intro,
			"introspection active false", intGot))
	}
	if r.life.ProtectedURL != "" {
		p.Assertions = append(p.Assertions, revokedVerdict("B17.resource", within, res,
			"the protected URL refusing it", resGot))
	}
	return p
}

// revokedVerdict judges how long a revoked token kept working.
func revokedVerdict(id string, within time.Duration, after *time.Duration, want, last string) Assertion {
	limit := "at once"
	if within > 0 {
		limit = "within " + within.String()
	}
	if after != nil {
		return check(id, true, want+" "+limit+" after revocation",
			fmt.Sprintf("refused %s after revocation", after.Round(time.Millisecond)), ProbeRevocation)
	}
	a := check(id, false, want+" "+limit+" after revocation",
		fmt.Sprintf("still accepted (%s) %s after revocation", last, max(within, 0).String()), ProbeRevocation)
	a.Reason += ": a revoked token keeps working (a cache in front of introspection or the resource?)"
	return a
}

// introspect asks the introspection endpoint about tok as c (RFC 7662
// §2.1); active is true only for a 200 whose active member is true.
func (r *lifeRun) introspect(tok string, c client) (active bool, got string) {
	p, x := r.post(ProbeIntrospection, r.life.IntrospectionURL, url.Values{"token": {tok}}, c)
	if x.err != nil {
		return false, p.Error
	}
	doc, _ := jsonObject(x.body)
	v, has := jsonPath(doc, "active")
	got = fmt.Sprintf("%s with active %s", gotStatus(&p), v)
	if !has {
		got = gotStatus(&p) + " without an active member"
	}
	return p.Status == 200 && v == "true", got
}

// introspection is RFC 7662's contract: an unknown token gets 200 with
// active false, not an error and never active true (§2.2), and a caller
// without client authentication is refused (§2.1: the endpoint MUST
// require authorization; §2.3: 401). The evidence is the request without
// client authentication.
func (r *lifeRun) introspection() ProbeResult {
	k := ProbeIntrospection
	unknown := "authmon-unknown-" + randomHex(16)
	q, x := r.post(k, r.life.IntrospectionURL, url.Values{"token": {unknown}}, r.self())
	var unknownA Assertion
	if x.err == nil {
		doc, _ := jsonObject(x.body)
		v, has := jsonPath(doc, "active")
		got := fmt.Sprintf("%s with active %s", gotStatus(&q), v)
		if !has {
			got = gotStatus(&q) + " without an active member"
		}
		unknownA = check("C23", q.Status == 200 && has && v == "false", `200 with {"active": false} for an unknown token`, got, k)
	}
	tok := r.revoked
	if tok == "" { // a real token, so that an open endpoint would tell all about it
		doc, p, ok := r.grant(k, r.clientCredentials(), r.self())
		if !ok {
			return noToken(k, p, "an access_token to introspect")
		}
		tok, _ = jsonPath(doc, "access_token")
	}
	p, x := r.post(k, r.life.IntrospectionURL, url.Values{"token": {tok}}, client{})
	if x.err != nil {
		return p
	}
	if unknownA.ID != "" {
		p.Assertions = append(p.Assertions, unknownA)
	} else {
		p.Assertions = append(p.Assertions, q.Assertions...)
	}
	b18 := check("B18", !is2xx(p.Status), "a refusal of a caller without client authentication", gotStatus(&p), k)
	if !b18.Pass {
		b18.Reason += ": anyone can ask whether a stolen token is valid, and about its owner"
	}
	return withAppended(p, b18, check("C23.auth", p.Status == 401, "401 without client authentication", gotStatus(&p), k))
}

func withAppended(p ProbeResult, as ...Assertion) ProbeResult {
	p.Assertions = append(p.Assertions, as...)
	return p
}
