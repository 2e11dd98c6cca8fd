package checks

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// memo is what a Runner works out once per check definition rather than on
// every run: the check's redactor and the verdicts on its configured JWT.
// Both are recomputed when the definition changes (a reload), so a run
// records exactly what it would have without them.
type memo struct {
	mu   sync.Mutex
	reds map[string]*checkRedactor // by check name
	jwts map[jwtKey]jwtVerdict
	// stay holds a copy of each client that follows no redirect.
	stay map[*http.Client]*http.Client
}

// redirectPolicy is the package's redirectPolicy, with the copy of a
// client that follows no redirect (nearly every check's) made once.
func (m *memo) redirectPolicy(hc *http.Client, follow bool, cred Credential) *http.Client {
	if m == nil || follow {
		return redirectPolicy(hc, follow, cred)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.stay[hc]
	if !ok {
		if m.stay == nil || len(m.stay) >= memoLimit {
			m.stay = map[*http.Client]*http.Client{}
		}
		c = redirectPolicy(hc, false, cred)
		m.stay[hc] = c
	}
	return c
}

// memoLimit bounds each of memo's maps: past it (checks removed and added
// by many reloads) a map starts over.
const memoLimit = 1 << 14

// checkRedactor is the redactor of one check definition: a scope of the
// process's redactor that knows the check's own secrets and the tokens its
// probes derive from them (expired, scope, forged).
type checkRedactor struct {
	process *redact.Redactor
	cred    credSecrets
	secrets []string
	red     *redact.Redactor
}

// credSecrets are the fields of a Credential that CredentialSecrets reads:
// two credentials with equal credSecrets have the same secrets.
type credSecrets struct {
	kind                                  AuthKind
	username, password, token, key, value string
	hasOAuth2                             bool
	oauthID, oauthSecret                  string
}

func credSecretsOf(c Credential) credSecrets {
	k := credSecrets{kind: c.Kind, username: c.Username, password: c.Password, token: c.Token, key: c.Key, value: c.Value}
	if c.OAuth2 != nil {
		k.hasOAuth2, k.oauthID, k.oauthSecret = true, c.OAuth2.ClientID, c.OAuth2.ClientSecret
	}
	return k
}

// redactor returns the redactor of ch's definition, building it on ch's
// first run and whenever its secrets or the process redactor changed.
// Without a process redactor it knows the check's own secrets only.
func (m *memo) redactor(process *redact.Redactor, ch Check) *redact.Redactor {
	cred := credSecretsOf(ch.Auth)
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.reds[ch.Name]; e != nil && e.process == process && e.cred == cred && slices.Equal(e.secrets, ch.Secrets) {
		return e.red
	}
	if m.reds == nil || len(m.reds) >= memoLimit {
		m.reds = map[string]*checkRedactor{}
	}
	red := runRedactor(process, ch)
	m.reds[ch.Name] = &checkRedactor{process: process, cred: cred, secrets: ch.Secrets, red: red}
	return red
}

// jwtKey is a configured token judged under rules.
type jwtKey struct {
	k     ProbeKind
	tok   string
	rules JWTRules
}

// jwtVerdict is JudgeJWT's answer for a configured token, good until
// until: every assertion passed, and only the expiry warning (B9.expiry)
// can change as time goes on: nbf and iat, once not in the future, stay so.
type jwtVerdict struct {
	as    []Assertion
	until time.Time
}

// judgeConfiguredJWT is JudgeJWT(k, tok, rules, now, false), remembered
// while its verdict cannot change. A failing verdict is never remembered:
// its sentences count the days left. The result must not be modified.
func (m *memo) judgeConfiguredJWT(k ProbeKind, tok string, rules JWTRules, now time.Time) []Assertion {
	key := jwtKey{k: k, tok: tok, rules: rules}
	m.mu.Lock()
	v, ok := m.jwts[key]
	m.mu.Unlock()
	if ok && now.Before(v.until) {
		return v.as
	}
	as := JudgeJWT(k, tok, rules, now, false)
	until, stable := jwtStableUntil(tok, rules, as)
	if !stable || !now.Before(until) {
		return as
	}
	m.mu.Lock()
	if m.jwts == nil || len(m.jwts) >= memoLimit {
		m.jwts = map[jwtKey]jwtVerdict{}
	}
	m.jwts[key] = jwtVerdict{as: as, until: until}
	m.mu.Unlock()
	return as
}

// jwtStableUntil is how long a passing verdict on a configured token stays
// as it is: until its expiry warning starts, or for ever without exp.
func jwtStableUntil(tok string, rules JWTRules, as []Assertion) (time.Time, bool) {
	for _, a := range as {
		if !a.Pass {
			return time.Time{}, false
		}
	}
	j, ok := DecodeJWT(tok)
	if !ok || j.ExpiresAt.IsZero() {
		return time.Unix(1<<62, 0), true
	}
	return j.ExpiresAt.Add(-cmpOr(rules.WarnBefore, DefaultJWTWarnBefore)), true
}
