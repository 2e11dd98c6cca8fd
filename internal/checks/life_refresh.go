package checks

import (
	"fmt"
	"net/url"
	"strings"
)

// refresh follows a refresh token (RFC 6749 §6): the refresh grant works,
// and where the server rotates (RFC 9700 §4.14.2) it hands back a new
// refresh token, a replay of the old one is refused with invalid_grant,
// and where it promises so, the replay revokes the newest one too. The
// evidence is the replay, or the refresh itself when nothing is replayed.
func (r *lifeRun) refresh() ProbeResult {
	k, rs := ProbeRefresh, *r.life.Refresh
	doc, p, ok := r.grant(k, r.refreshGrant(rs), r.self())
	if !ok {
		return noToken(k, p, "an access_token")
	}
	rt0, _ := jsonPath(doc, "refresh_token")
	if rt0 == "" {
		return withAppended(p, check("B19", false, "a refresh_token from the "+grantName(rs)+" grant",
			"an answer without a refresh_token", k))
	}
	doc, p, ok = r.grant(k, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt0}}, r.self())
	b19 := check("B19", ok, "200 with an access_token to the refresh grant", statusAndCode(p.Status, errOf(doc)), k)
	if !ok || !rs.Rotation {
		return withAppended(p, b19)
	}
	rt1, _ := jsonPath(doc, "refresh_token")
	rotation := check("B19.rotation", rt1 != "" && rt1 != rt0, "a new refresh_token", rotatedWords(rt0, rt1), k)
	p, x := r.post(k, r.ch.URL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt0}}, r.self())
	if x.err != nil {
		return p
	}
	replay, _ := jsonObject(x.body)
	r.keepAnswer(replay)
	code := errOf(replay)
	reuse := check("B19.reuse", !is2xx(p.Status) && code == "invalid_grant", `400 error "invalid_grant" to the replayed refresh token`,
		statusAndCode(p.Status, code), k)
	if !reuse.Pass {
		reuse.Reason += ": a stolen refresh token keeps working next to the client's own"
	}
	p.Assertions = append(p.Assertions, b19, rotation, reuse)
	if rs.FamilyRevoked && rt1 != "" && rt1 != rt0 {
		p.Assertions = append(p.Assertions, r.family(rt1))
	}
	return p
}

// family: after a replay, the refresh token issued to the legitimate
// client must stop working too, since the server cannot tell who replayed.
func (r *lifeRun) family(newest string) Assertion {
	k := ProbeRefresh
	q, x := r.post(k, r.ch.URL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {newest}}, r.self())
	if x.err != nil {
		return check("B19.family", false, "the newest refresh token refused after the replay", q.Error, k)
	}
	doc, _ := jsonObject(x.body)
	r.keepAnswer(doc)
	a := check("B19.family", !is2xx(q.Status), "the newest refresh token refused after the replay",
		statusAndCode(q.Status, errOf(doc)), k)
	if !a.Pass {
		a.Reason += ": the thief's or the client's refresh token family stays alive after a detected replay"
	}
	return a
}

func (r *lifeRun) keepAnswer(doc map[string]any) {
	for _, name := range []string{"access_token", "refresh_token", "id_token"} {
		v, _ := jsonPath(doc, name)
		r.keep(v)
	}
}

// refreshGrant is the grant that yields the first refresh token.
func (r *lifeRun) refreshGrant(rs RefreshSpec) url.Values {
	form := url.Values{"grant_type": {"client_credentials"}}
	if rs.Grant == "password" {
		form = url.Values{"grant_type": {"password"}, "username": {r.spec.Username}, "password": {r.spec.Password}}
		learn(r.red, r.spec.Password)
	}
	scopes := rs.Scopes
	if len(scopes) == 0 {
		scopes = r.spec.Scopes
	}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	return form
}

func grantName(rs RefreshSpec) string {
	if rs.Grant == "" {
		return "client_credentials"
	}
	return rs.Grant
}

func errOf(doc map[string]any) string {
	code, _ := jsonPath(doc, "error")
	return code
}

// rotatedWords never shows a token, only whether it changed.
func rotatedWords(old, cur string) string {
	switch {
	case cur == "":
		return "no refresh_token in the answer"
	case cur == old:
		return "the same refresh_token again"
	}
	return "a new refresh_token"
}

// audience presents a valid token issued for another audience or
// resource (or to another client) to the protected URL: it must be
// refused (RFC 8725 §3.9, RFC 8707 §2).
func (r *lifeRun) audience() ProbeResult {
	k, o := ProbeAudience, *r.life.Other
	form := r.clientCredentials()
	c := r.self()
	if o.ClientID != "" { // the other client's own scopes and audience
		c = client{o.ClientID, o.ClientSecret}
		form.Del("scope")
		form["audience"], form["resource"] = []string{}, []string{}
	}
	if o.Audience != "" {
		form.Set("audience", o.Audience)
	}
	if o.Resource != "" {
		form.Set("resource", o.Resource)
	}
	doc, p, ok := r.grant(k, form, c)
	if !ok {
		return noToken(k, p, "an access_token for the other audience")
	}
	tok, _ := jsonPath(doc, "access_token")
	p, x := r.bearer(k, tok)
	if x.err != nil {
		return p
	}
	a := check("B2.audience", !is2xx(p.Status), "a refusal of a token issued for "+otherWords(o), gotStatus(&p), k)
	if !a.Pass {
		a.Reason += ": a token for another service opens this one"
	}
	return withAppended(p, a)
}

func otherWords(o OtherToken) string {
	switch {
	case o.ClientID != "":
		return fmt.Sprintf("client %q", o.ClientID)
	case o.Resource != "":
		return fmt.Sprintf("resource %q", o.Resource)
	}
	return fmt.Sprintf("audience %q", o.Audience)
}

// idTokenProbe presents an ID token the run obtained as a Bearer access
// token: it must be refused (RFC 8725 §3.11, §3.12: kinds of JWT are not
// interchangeable). Without an ID token it records why it did not run.
func (r *lifeRun) idTokenProbe() ProbeResult {
	k := ProbeIDToken
	if r.idToken == "" {
		return skippedFor(k, "GET", r.life.ProtectedURL,
			"skipped: no ID token was obtained in this run (request the openid scope with the refresh grant, or remove id_token from probes)")
	}
	p, x := r.bearer(k, r.idToken)
	if x.err != nil {
		return p
	}
	a := check("B2.id_token", !is2xx(p.Status), "a refusal of an ID token presented as an access token", gotStatus(&p), k)
	if !a.Pass {
		a.Reason += ": any ID token a client ever saw opens the API"
	}
	return withAppended(p, a)
}
