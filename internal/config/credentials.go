package config

import (
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// credentialKeys lists, per credential type, the keys it requires and the
// keys it may have. Any other key set in the table is a problem.
var credentialKeys = map[checks.AuthKind]struct{ required, optional []string }{
	checks.AuthBasic: {required: []string{"username", "password"},
		optional: []string{"canary_user", "failed_login_budget", "failed_login_window"}},
	checks.AuthBearer: {required: []string{"token"}},
	checks.AuthDigest: {required: []string{"username", "password"},
		optional: []string{"algorithm", "canary_user", "failed_login_budget", "failed_login_window"}},
	checks.AuthAPIKey: {required: []string{"key"}, optional: []string{"header", "query"}},
	checks.AuthCookie: {required: []string{"name", "value"}},
	checks.AuthMTLS:   {required: []string{"cert_file", "key_file"}, optional: []string{"expiry_warn_days"}},
	checks.AuthOAuth2: {required: []string{"token_url", "client_id", "client_secret"},
		optional: []string{"scopes", "auth_style", "expires_at", "expiry_warn_days"}},
	checks.AuthLogin: {required: []string{"url", "username", "password"},
		optional: []string{"method", "use", "ttl", "format", "username_field", "password_field", "extra",
			"token_json", "token_header", "token_cookie", "session_url", "status", "wrong_status", "canary_user",
			"failed_login_budget", "failed_login_window"}},
}

const credentialTypes = "basic, digest, bearer, api_key, cookie, mtls, oauth2 or login"

// credential is a validated credential set with the secrets it holds.
type credential struct {
	checks.Credential
	secrets []string
	ok      bool // no problem was found in it
}

// buildCredential validates one credential table (a named set or a check's
// [check.auth]) and converts it. dir is the config file's directory, which
// relative certificate paths start from. It builds no Source: the caller
// decides how many checks share one.
func buildCredential(c *collector, key string, s *credentialSection, dir string) credential {
	before := len(c.out)
	cred := checks.Credential{Kind: checks.AuthKind(s.Type)}
	keys, known := credentialKeys[cred.Kind]
	if !known {
		if s.Type == "" {
			c.add(key+".type", "required: one of %s", credentialTypes)
		} else {
			c.add(key+".type", "unknown credential type %q (want %s)", s.Type, credentialTypes)
		}
		return credential{Credential: cred}
	}
	checkCredentialKeys(c, key, s, keys.required, keys.optional)
	out := credential{Credential: cred}
	switch cred.Kind {
	case checks.AuthBasic:
		out.Username, out.Password, out.CanaryUser = s.Username, s.Password, s.CanaryUser
		if strings.Contains(s.Username, ":") {
			c.add(key+".username", "a Basic user-id cannot contain ':' (RFC 7617 §2)")
		}
		if strings.Contains(s.CanaryUser, ":") {
			c.add(key+".canary_user", "a Basic user-id cannot contain ':' (RFC 7617 §2)")
		}
		out.FailedLogins = loginLimit(c, key, s.budgetKeys, checks.LoginLimit{})
	case checks.AuthDigest:
		out.Username, out.Password, out.CanaryUser = s.Username, s.Password, s.CanaryUser
		out.Algorithm = digestAlgorithm(c, key, s)
		out.FailedLogins = loginLimit(c, key, s.budgetKeys, checks.LoginLimit{})
	case checks.AuthBearer:
		out.Token = s.Token
	case checks.AuthAPIKey:
		out.Header, out.Query, out.Key = s.Header, s.Query, s.Key
		apiKeyPlace(c, key, s)
	case checks.AuthCookie:
		out.Cookie, out.Value = s.Name, s.Value
		cookiePair(c, key, s)
	case checks.AuthMTLS:
		out.Cert = loadClientCert(c, key, s, dir)
		out.ExpiryWarn = expiryWarn(c, key+".expiry_warn_days", s.ExpiryWarnDays)
	case checks.AuthOAuth2:
		spec := buildOAuth2(c, key, s)
		out.OAuth2 = &spec
		out.SecretExpires, out.ExpiryWarn = s.ExpiresAt.Time, expiryWarn(c, key+".expiry_warn_days", s.ExpiryWarnDays)
	case checks.AuthLogin:
		out.Username, out.Password = s.Username, s.Password
		spec := buildLoginSet(c, key, s)
		out.Login = &spec
		out.FailedLogins = loginLimit(c, key, s.budgetKeys, checks.LoginLimit{})
	}
	out.secrets = nonEmpty([]string{s.Password, s.Token, s.Key, s.Value, s.ClientSecret})
	out.ok = len(c.out) == before
	return out
}

// credentialFields and credentialKeyNames (sorted) are the keys of a
// credential table, computed once rather than for each of many checks.
var (
	credentialFields   = tomlFields(reflect.TypeFor[credentialSection]())
	credentialKeyNames = slices.Sorted(maps.Keys(credentialFields))
)

// checkCredentialKeys reports required keys that are missing and keys the
// type does not use, so that a key meant for another type is not silently
// ignored.
func checkCredentialKeys(c *collector, key string, s *credentialSection, required, optional []string) {
	v := reflect.ValueOf(s).Elem()
	for _, n := range credentialKeyNames {
		if n == "type" {
			continue
		}
		set := !v.FieldByIndex(credentialFields[n]).IsZero()
		switch {
		case slices.Contains(required, n) && !set:
			c.add(key+"."+n, "required for type %q", s.Type)
		case set && !slices.Contains(required, n) && !slices.Contains(optional, n):
			c.add(key+"."+n, "not used by type %q", s.Type)
		}
	}
}

func apiKeyPlace(c *collector, key string, s *credentialSection) {
	switch {
	case s.Header != "" && s.Query != "":
		c.add(key, "set header or query (where the key goes), not both")
	case s.Header == "" && s.Query == "":
		c.add(key, "set header (e.g. \"X-API-Key\") or query (a query parameter name): where the key goes")
	case s.Header != "" && !checks.IsToken(s.Header):
		c.add(key+".header", "not a valid header name")
	case s.Query != "" && strings.ContainsAny(s.Query, "&=#? "):
		c.add(key+".query", "not a valid query parameter name")
	}
}

// cookiePair validates a cookie's name and value (RFC 6265 §4.1.1) without
// quoting the value, which is a secret.
func cookiePair(c *collector, key string, s *credentialSection) {
	if s.Name != "" && !checks.IsToken(s.Name) {
		c.add(key+".name", "not a valid cookie name")
	}
	if strings.ContainsFunc(s.Value, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || r == '"' || r == ',' || r == ';' || r == '\\'
	}) {
		c.add(key+".value", "contains a character not allowed in a cookie value (space, quote, comma, semicolon, backslash or a control character)")
	}
}

// oauth2Styles are the client authentication methods of RFC 6749 §2.3.1.
var oauth2Styles = []string{"basic", "post"}

func buildOAuth2(c *collector, key string, s *credentialSection) checks.OAuth2Spec {
	spec := checks.OAuth2Spec{TokenURL: s.TokenURL, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		Scopes: s.Scopes, AuthStyle: authStyle(c, key+".auth_style", s.AuthStyle)}
	if s.TokenURL != "" {
		checkURL(c, key+".token_url", s.TokenURL)
	}
	checkScopes(c, key+".scopes", s.Scopes)
	return spec
}

// authStyle validates auth_style; the default is client_secret_basic, which
// RFC 6749 §2.3.1 says every server must support.
func authStyle(c *collector, key, style string) string {
	switch {
	case style == "":
		return "basic"
	case !slices.Contains(oauth2Styles, style):
		c.add(key, "unknown auth_style %q (want \"basic\": client_secret_basic, or \"post\": client_secret_post)", style)
	}
	return style
}

func checkScopes(c *collector, key string, scopes []string) {
	for i, sc := range scopes {
		if sc == "" || strings.ContainsFunc(sc, func(r rune) bool { return r <= ' ' || r == '"' || r == '\\' || r >= 0x7f }) {
			c.add(key+"["+itoa(i)+"]", "a scope is one non-empty word without spaces, quotes or backslashes (RFC 6749 §3.3)")
		}
	}
}

// digestAlgorithm validates a Digest credential: a user name that fits in
// an htdigest file and a quoted-string, and an algorithm authmon answers
// with, written as RFC 7616 §6.1 registers it.
func digestAlgorithm(c *collector, key string, s *credentialSection) string {
	for _, u := range [][2]string{{"username", s.Username}, {"canary_user", s.CanaryUser}} {
		if strings.ContainsAny(u[1], ":\"\\") || strings.ContainsFunc(u[1], func(r rune) bool { return r < ' ' || r == 0x7f }) {
			c.add(key+"."+u[0], "a Digest user name cannot contain ':', '\"', '\\' or control characters")
		}
	}
	if s.Algorithm == "" {
		return ""
	}
	for _, a := range checks.DigestAlgorithms {
		if strings.EqualFold(a, s.Algorithm) {
			return a
		}
	}
	c.add(key+".algorithm", "unknown Digest algorithm %q (want one of %s, or leave it out to take the strongest the server offers)",
		s.Algorithm, strings.Join(checks.DigestAlgorithms, ", "))
	return ""
}
