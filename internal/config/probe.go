package config

import (
	"net/url"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// buildProbe validates one protected-endpoint probe table and fills the
// defaults that depend on the credentials (the challenge scheme).
func buildProbe(c *collector, key string, kind checks.ProbeKind, t *probeSection, auth checks.Credential) checks.ProbeSpec {
	if t == nil {
		t = &probeSection{}
	}
	spec := checks.ProbeSpec{Kind: kind, Status: t.Status, Scheme: t.Scheme, Realm: t.Realm, BodyContains: t.BodyContains,
		Location: t.Location, Token: t.Token, Error: t.Error}
	if t.JSON != nil {
		spec.JSON = map[string]string(t.JSON)
	}
	if kind == checks.ProbeValid {
		if t.Scheme != "" || t.Realm != "" {
			c.add(key, "scheme and realm describe the challenge of a refused request: set them on [check.missing] or [check.wrong]")
		}
		if t.Error != "" {
			c.add(key+".error", "describes the Bearer error of a refused request: set it on a refused probe such as [check.wrong]")
		}
	} else {
		if t.BodyContains != "" {
			c.add(key+".body_contains", "only the valid probe checks the body")
		}
		if t.JSON != nil {
			c.add(key+".json", "only the valid probe checks the body")
		}
		if spec.Scheme == "" {
			spec.Scheme = defaultScheme(auth)
		} else if !checks.IsToken(spec.Scheme) {
			c.add(key+".scheme", "%q is not a valid auth-scheme token", spec.Scheme)
		}
	}
	if kind == checks.ProbeScope && spec.Status == nil {
		spec.Status = []int{403} // RFC 6750 §3.1 insufficient_scope
	}
	if t.Token != "" && kind != checks.ProbeExpired && kind != checks.ProbeScope {
		c.add(key+".token", "only the expired and scope probes send a token of their own")
	}
	checkLocation(c, key+".location", t.Location, spec.Status)
	if t.Error != "" && !validErrorCode(t.Error) {
		c.add(key+".error", "a Bearer error code has no quotes, backslashes or control characters (RFC 6750 §3)")
	}
	return spec
}

// checkLocation: location is the prefix an allowed redirect's Location must
// start with, so it needs a 3xx among the accepted statuses.
func checkLocation(c *collector, key, loc string, status []int) {
	if loc == "" {
		return
	}
	redirect := false
	for _, s := range status {
		redirect = redirect || (s >= 300 && s < 400)
	}
	if !redirect {
		c.add(key, "applies to a redirect: list a 3xx code in status, e.g. status = [302]")
	}
	if u, err := url.Parse(loc); err != nil || !(strings.HasPrefix(loc, "/") || (u.Scheme == "http" || u.Scheme == "https") && u.Host != "") {
		c.add(key, "want a path such as \"/login\" or an absolute http(s) URL")
	}
}

// validErrorCode follows RFC 6750 §3: %x20-21 / %x23-5B / %x5D-7E.
func validErrorCode(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

// defaultScheme is the challenge scheme a refusal must carry, from the
// credentials: none for API keys, cookies and certificates, which have no
// registered scheme.
func defaultScheme(auth checks.Credential) string {
	switch auth.Kind {
	case checks.AuthBasic:
		return "Basic"
	case checks.AuthDigest:
		return "Digest"
	case checks.AuthBearer, checks.AuthOAuth2:
		return "Bearer"
	case checks.AuthLogin:
		if auth.Login != nil && auth.Login.Use == "bearer" {
			return "Bearer"
		}
	}
	return ""
}
