package config

import (
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// oidcSection is [check.oidc] of an oidc_login check; the check's url is
// the issuer.
type oidcSection struct {
	DiscoveryURL  string   `toml:"discovery_url"`
	ClientID      string   `toml:"client_id"`
	ClientSecret  string   `toml:"client_secret"`
	RedirectURI   string   `toml:"redirect_uri"`
	Scopes        []string `toml:"scopes"`
	Username      string   `toml:"username"`
	Password      string   `toml:"password"`
	UsernameField string   `toml:"username_field"`
	PasswordField string   `toml:"password_field"`
	FormAction    string   `toml:"form_action"`
	Consent       *bool    `toml:"consent"` // nil: the default, true
}

// buildOIDCCheck: an OIDC login check signs the canary user in at the
// issuer's authorize endpoint. The user comes from a basic credential set
// (credentials = "NAME") or from username and password in [check.oidc].
func buildOIDCCheck(c *collector, key string, s *checkSection, ch *checks.Check) []string {
	o := s.OIDC
	okey := key + ".oidc"
	if o == nil {
		c.add(key, "an oidc_login check needs [check.oidc] with client_id and redirect_uri")
		return nil
	}
	spec := checks.OIDCSpec{DiscoveryURL: o.DiscoveryURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		RedirectURI: o.RedirectURI, Scopes: o.Scopes, Username: o.Username, Password: o.Password,
		UsernameField: o.UsernameField, PasswordField: o.PasswordField, FormAction: o.FormAction,
		Consent: o.Consent == nil || *o.Consent}
	if o.ClientID == "" {
		c.add(okey+".client_id", "required: the client_id registered at the IdP for this check")
	}
	if o.RedirectURI == "" {
		c.add(okey+".redirect_uri", "required: a redirect_uri registered for the client, exactly as registered")
	} else {
		checkURL(c, okey+".redirect_uri", o.RedirectURI)
	}
	if o.DiscoveryURL != "" {
		checkURL(c, okey+".discovery_url", o.DiscoveryURL)
	}
	if ch.URL == "" {
		c.add(key+".url", "required: the issuer, e.g. \"https://idp.example.com\" (its /.well-known/openid-configuration is read)")
	}
	checkScopes(c, okey+".scopes", o.Scopes)
	if len(o.Scopes) > 0 && !containsWord(o.Scopes, "openid") {
		c.add(okey+".scopes", "must include \"openid\": without it the IdP issues no ID token")
	}
	oidcUser(c, key, s, ch, &spec)
	ch.OIDC = &spec
	return []string{o.ClientSecret, o.Password}
}

// oidcUser takes the canary user from the check's basic credentials or
// from [check.oidc], not both.
func oidcUser(c *collector, key string, s *checkSection, ch *checks.Check, spec *checks.OIDCSpec) {
	o := s.OIDC
	okey := key + ".oidc"
	switch ch.Auth.Kind {
	case checks.AuthBasic:
		if o.Username != "" || o.Password != "" {
			c.add(okey+".username", "the canary user comes from the credentials: leave username and password out here")
		}
		spec.Username, spec.Password = ch.Auth.Username, ch.Auth.Password
	case checks.AuthNone:
		if o.Username == "" || o.Password == "" {
			c.add(okey, "set username and password of the canary user (password = \"${NAME}\" from the environment), or credentials = \"NAME\" of a basic set")
		}
	default:
		c.add(credentialKey(key, s), "an oidc_login check signs a user in: use a basic credential set, not %q", ch.Auth.Kind)
	}
	for _, f := range []struct{ name, v string }{{"username_field", o.UsernameField}, {"password_field", o.PasswordField}} {
		if f.v != "" && strings.ContainsAny(f.v, " \"'<>") {
			c.add(okey+"."+f.name, "a form field name, as in the login page's <input name=\"...\">")
		}
	}
}

func containsWord(list []string, w string) bool {
	for _, v := range list {
		if v == w {
			return true
		}
	}
	return false
}
