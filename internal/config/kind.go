package config

import (
	"maps"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// kindTables says which check kinds each optional table belongs to, so that
// a table a kind would ignore is reported instead.
var kindTables = []struct {
	name  string
	kinds []checks.CheckKind
	set   func(*checkSection) bool
}{
	{"auth", authKinds, func(s *checkSection) bool { return s.Auth != nil }},
	{"login", []checks.CheckKind{checks.KindLogin}, func(s *checkSection) bool { return s.Login != nil }},
	{"enumeration", []checks.CheckKind{checks.KindLogin}, func(s *checkSection) bool { return s.Enumeration != nil }},
	{"token", []checks.CheckKind{checks.KindToken}, func(s *checkSection) bool { return s.Token != nil }},
	{"discovery", []checks.CheckKind{checks.KindDiscovery}, func(s *checkSection) bool { return s.Discovery != nil }},
	{"oidc", []checks.CheckKind{checks.KindOIDCLogin}, func(s *checkSection) bool { return s.OIDC != nil }},
	{"jwt", authKinds, func(s *checkSection) bool { return s.JWT != nil }},
}

// authKinds are the kinds that send credentials.
var authKinds = []checks.CheckKind{checks.KindProtected, checks.KindLogin, checks.KindToken}

// buildKind checks that the check's tables belong to its kind and builds
// what the kind needs beyond a URL. It returns the secrets it found.
func buildKind(c *collector, key string, s *checkSection, ch *checks.Check) []string {
	for _, t := range kindTables {
		if t.set(s) && !slices.Contains(t.kinds, ch.Kind) {
			c.add(key+"."+t.name, "[check.%s] belongs to %s checks, not to kind %q", t.name, kindWords(t.kinds), ch.Kind)
		}
	}
	tables := probeTables(s)
	for _, kind := range checks.ProbeKinds {
		if tables[kind] != nil && ch.Kind != checks.KindProtected {
			c.add(key+"."+string(kind), "[check.%s] describes a probe of kind \"protected\" checks, not of kind %q", kind, ch.Kind)
		}
	}
	if s.Credentials != "" && ch.Kind == checks.KindDiscovery {
		c.add(key+".credentials", "a discovery check sends no credentials")
	}
	if ch.Kind != checks.KindDiscovery && ch.Kind != checks.KindOIDCLogin {
		ch.JWT = buildJWT(c, key+".jwt", s.JWT)
	}
	switch ch.Kind {
	case checks.KindLogin:
		buildLoginCheck(c, key, s, ch)
	case checks.KindToken:
		return buildTokenCheck(c, key, s, ch)
	case checks.KindDiscovery:
		buildDiscoveryCheck(c, key, s, ch)
	case checks.KindOIDCLogin:
		return buildOIDCCheck(c, key, s, ch)
	}
	return nil
}

func kindWords(ks []checks.CheckKind) string {
	words := make([]string, len(ks))
	for i, k := range ks {
		words[i] = "kind = \"" + string(k) + "\""
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// credentialKey is where a problem with the check's credentials belongs.
func credentialKey(key string, s *checkSection) string {
	if s.Credentials != "" {
		return key + ".credentials"
	}
	return key + ".auth.type"
}

// buildLoginCheck: a login check posts a user name and password to its URL.
// They come from a basic set, with [check.login] describing the login, or
// from a login set, which describes the login already. The check's url and
// method, when set, are where it logs in.
func buildLoginCheck(c *collector, key string, s *checkSection, ch *checks.Check) {
	ch.Login = loginCheckSpec(c, key, s, ch.Auth)
	if ch.Login != nil {
		if ch.URL == "" {
			ch.URL = ch.Login.URL
		}
		ch.Login.URL = ch.URL
		if s.Method != "" {
			ch.Login.Method = strings.ToUpper(s.Method)
		}
	}
	if s.Enumeration != nil {
		ch.Enumeration = buildEnumeration(c, key+".enumeration", s.Enumeration, ch.Login)
	}
}

func loginCheckSpec(c *collector, key string, s *checkSection, auth checks.Credential) *checks.LoginSpec {
	switch auth.Kind {
	case checks.AuthBasic:
		if s.Login == nil {
			c.add(key, "a login check with basic credentials needs [check.login] saying where the token comes back (token_json, token_header or token_cookie)")
			return nil
		}
		spec := buildLoginFields(c, key+".login", *s.Login)
		spec.Method = "POST"
		if spec.CanaryUser == "" {
			spec.CanaryUser = auth.Username
		}
		return &spec
	case checks.AuthLogin:
		if s.Login != nil {
			c.add(key+".login", "the login credentials already describe the login: remove [check.login], or use a basic credential set with it")
		}
		if auth.Login == nil {
			return nil
		}
		spec := *auth.Login // a copy: the set's Source keeps the original
		spec.Extra = maps.Clone(spec.Extra)
		return &spec
	case checks.AuthNone:
		c.add(key, "a login check needs credentials: credentials = \"NAME\" of a basic or login set, or [check.auth] with type = \"basic\"")
	default:
		c.add(credentialKey(key, s), "a login check posts a user name and password: use a basic or login credential set, not %q", auth.Kind)
	}
	return nil
}
