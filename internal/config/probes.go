package config

import (
	"slices"

	"github.com/authmon/monitor/internal/checks"
)

// buildProbes resolves which probes a check runs and what each expects. By
// default a check with credentials runs all three; one without runs only
// "missing".
func buildProbes(c *collector, key string, s *checkSection, auth checks.AuthKind) []checks.ProbeSpec {
	kinds := defaultProbes(auth)
	if s.Probes != nil {
		kinds = parseProbeKinds(c, key+".probes", s.Probes, auth)
	}
	tables := map[checks.ProbeKind]*probeSection{checks.ProbeValid: s.Valid, checks.ProbeMissing: s.Missing, checks.ProbeWrong: s.Wrong}
	var out []checks.ProbeSpec
	for _, kind := range checks.ProbeKinds {
		t := tables[kind]
		tkey := key + "." + string(kind)
		if !slices.Contains(kinds, kind) {
			if t != nil {
				c.add(tkey, "probe %q is not in probes = [...]", kind)
			}
			continue
		}
		out = append(out, buildProbe(c, tkey, kind, t, auth))
	}
	return out
}

func defaultProbes(auth checks.AuthKind) []checks.ProbeKind {
	if auth == checks.AuthNone {
		return []checks.ProbeKind{checks.ProbeMissing}
	}
	return checks.ProbeKinds
}

func parseProbeKinds(c *collector, key string, names []string, auth checks.AuthKind) []checks.ProbeKind {
	var out []checks.ProbeKind
	for i, n := range names {
		k := checks.ProbeKind(n)
		ikey := key + "[" + itoa(i) + "]"
		switch {
		case !slices.Contains(checks.ProbeKinds, k):
			c.add(ikey, "unknown probe %q (want valid, missing or wrong)", n)
		case slices.Contains(out, k):
			c.add(ikey, "probe %q listed twice", n)
		case k != checks.ProbeMissing && auth == checks.AuthNone:
			c.add(ikey, "probe %q needs credentials: add [check.auth]", n)
		default:
			out = append(out, k)
		}
	}
	if len(names) == 0 {
		c.add(key, "lists no probe")
	}
	return out
}

func buildProbe(c *collector, key string, kind checks.ProbeKind, t *probeSection, auth checks.AuthKind) checks.ProbeSpec {
	spec := checks.ProbeSpec{Kind: kind}
	if t == nil {
		t = &probeSection{}
	}
	spec.Status, spec.Scheme, spec.Realm, spec.BodyContains = t.Status, t.Scheme, t.Realm, t.BodyContains
	if kind == checks.ProbeValid {
		if t.Scheme != "" || t.Realm != "" {
			c.add(key, "scheme and realm describe the challenge of a refused request: set them on [check.missing] or [check.wrong]")
		}
		return spec
	}
	if t.BodyContains != "" {
		c.add(key+".body_contains", "only the valid probe checks the body")
	}
	if spec.Scheme == "" {
		spec.Scheme = defaultScheme(auth)
	} else if !checks.IsToken(spec.Scheme) {
		c.add(key+".scheme", "%q is not a valid auth-scheme token", spec.Scheme)
	}
	return spec
}

func defaultScheme(auth checks.AuthKind) string {
	switch auth {
	case checks.AuthBasic:
		return "Basic"
	case checks.AuthBearer:
		return "Bearer"
	default: // API keys have no registered scheme: any challenge will do
		return ""
	}
}
