package config

import (
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// buildProbes resolves which probes a check runs, in the order of its kind's
// matrix (checks.KindProbes), and what each expects. By default a check runs
// every probe of its kind that it can: a protected check without
// credentials runs only "missing"; expired and scope run when their table
// gives a token; enumeration runs when [check.enumeration] is set.
func buildProbes(c *collector, key string, s *checkSection, ch checks.Check) []checks.ProbeSpec {
	tables := probeTables(s)
	var kinds []checks.ProbeKind
	if s.Probes != nil {
		kinds = parseProbeKinds(c, key+".probes", s, ch)
	} else {
		kinds = defaultProbes(c, key, s, ch)
	}
	out := make([]checks.ProbeSpec, 0, len(kinds))
	for _, kind := range checks.KindProbes[ch.Kind] {
		t := tables[kind]
		if !slices.Contains(kinds, kind) {
			if t != nil && s.Probes != nil {
				c.add(key+"."+string(kind), "probe %q is not in probes = [...]", kind)
			}
			continue
		}
		if ch.Kind != checks.KindProtected {
			out = append(out, checks.ProbeSpec{Kind: kind}) // expectations live in the kind's table
			continue
		}
		out = append(out, buildProbe(c, key+"."+string(kind), kind, t, ch.Auth))
	}
	if len(out) == 0 {
		return nil // as before the capacity was reserved: configs compare equal
	}
	return out
}

// probeTables maps each protected-endpoint probe to its table, nil when
// absent.
func probeTables(s *checkSection) map[checks.ProbeKind]*probeSection {
	return map[checks.ProbeKind]*probeSection{
		checks.ProbeValid: s.Valid, checks.ProbeMissing: s.Missing, checks.ProbeMalformed: s.Malformed,
		checks.ProbeWrong: s.Wrong, checks.ProbeExpired: s.Expired, checks.ProbeScope: s.Scope, checks.ProbeForged: s.Forged,
	}
}

// defaultProbes is every probe of the kind the check can run. A probe table
// whose probe cannot run is a problem: it would be silently ignored.
func defaultProbes(c *collector, key string, s *checkSection, ch checks.Check) []checks.ProbeKind {
	tables := probeTables(s)
	var out []checks.ProbeKind
	for _, kind := range checks.KindProbes[ch.Kind] {
		why := unusable(kind, s, ch)
		if why == "" {
			out = append(out, kind)
		} else if tables[kind] != nil {
			c.add(key+"."+string(kind), "probe %q %s", kind, why)
		}
	}
	return out
}

func parseProbeKinds(c *collector, key string, s *checkSection, ch checks.Check) []checks.ProbeKind {
	allowed := checks.KindProbes[ch.Kind]
	var out []checks.ProbeKind
	for i, n := range s.Probes {
		k := checks.ProbeKind(n)
		ikey := key + "[" + itoa(i) + "]"
		switch why := unusable(k, s, ch); {
		case !slices.Contains(allowed, k):
			c.add(ikey, "unknown probe %q for a %s check (want %s)", n, ch.Kind, probeWords(allowed))
		case slices.Contains(out, k):
			c.add(ikey, "probe %q listed twice", n)
		case why != "":
			c.add(ikey, "probe %q %s", n, why)
		default:
			out = append(out, k)
		}
	}
	if len(s.Probes) == 0 {
		c.add(key, "lists no probe")
	}
	return out
}

func probeWords(ks []checks.ProbeKind) string {
	words := make([]string, len(ks))
	for i, k := range ks {
		words[i] = string(k)
	}
	return strings.Join(words, ", ")
}

// unusable says why the check cannot run a probe of its kind, or "".
func unusable(kind checks.ProbeKind, s *checkSection, ch checks.Check) string {
	auth := ch.Auth.Kind
	switch {
	case ch.Kind == checks.KindProtected && kind != checks.ProbeMissing && auth == checks.AuthNone:
		return "needs credentials: add [check.auth] or credentials = \"NAME\""
	case kind == checks.ProbeForged && !slices.Contains(jwtAuth, auth):
		return "re-signs the valid token: it needs a bearer, oauth2 or login credential"
	case (kind == checks.ProbeExpired || kind == checks.ProbeScope) && !slices.Contains(tokenAuth, auth):
		return "sends a token: it needs a bearer, oauth2, login, api_key or cookie credential"
	case kind == checks.ProbeExpired && (s.Expired == nil || s.Expired.Token == ""):
		return "needs the token to send: set token in [check.expired] (an expired token)"
	case kind == checks.ProbeScope && (s.Scope == nil || s.Scope.Token == ""):
		return "needs the token to send: set token in [check.scope] (a valid token lacking the scope)"
	case kind == checks.ProbeEnumeration && s.Enumeration == nil:
		return "is opt-in: add [check.enumeration]"
	case kind == checks.ProbeTokenPassword && (ch.Token == nil || ch.Token.Username == "" || ch.Token.Password == ""):
		return "needs username and password in [check.token]"
	case kind == checks.ProbeJWKS && ch.Discovery != nil && !ch.Discovery.JWKS:
		return "is off: [check.discovery] has jwks = false"
	case ch.Kind == checks.KindToken:
		return lifeProbeNeeds(kind, ch)
	}
	return ""
}

// jwtAuth are the credentials that may carry a JWT to forge; tokenAuth
// those that can present another token in their place.
var (
	jwtAuth   = []checks.AuthKind{checks.AuthBearer, checks.AuthOAuth2, checks.AuthLogin}
	tokenAuth = []checks.AuthKind{checks.AuthBearer, checks.AuthOAuth2, checks.AuthLogin, checks.AuthAPIKey, checks.AuthCookie}
)
