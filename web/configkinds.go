package web

import (
	"strconv"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// kindItems lists what the login, token, discovery and enumeration kinds
// and the JWT rules add to a check.
func kindItems(c checks.Check, m masker) []configItem {
	var it items
	if c.Login != nil {
		it = append(it, loginItems(*c.Login, m)...)
	}
	if t := c.Token; t != nil {
		it.add("Client id", m.show(t.ClientID))
		it.add("Client secret", secret(t.ClientSecret))
		it.add("Scopes", strings.Join(t.Scopes, " "))
		it.add("Client auth", t.AuthStyle)
		it.add("Password grant user", m.show(t.Username))
		if t.Username != "" || t.Password != "" {
			it.add("Password grant password", secret(t.Password))
		}
		it.add("Wrong secret status", intList(t.WrongSecretStatus, ""))
		it.add("Wrong password status", intList(t.WrongPasswordStatus, ""))
	}
	if d := c.Discovery; d != nil {
		it.add("Issuer", m.show(d.Issuer))
		it.add("Required members", strings.Join(d.Required, ", "))
		it.add("JWKS", map[bool]string{true: "fetched and checked", false: "not fetched"}[d.JWKS])
	}
	if o := c.OIDC; o != nil {
		it = append(it, oidcItems(*o, m)...)
	}
	if e := c.Enumeration; e != nil {
		it.add("Enumeration: unknown user", m.show(e.UnknownUser))
		it.add("Enumeration: samples", strconv.Itoa(e.Samples))
		it.add("Enumeration: threshold", durationText(e.Threshold, "default"))
		it.add("Enumeration: at most every", durationText(e.Every, "default"))
	}
	j := c.JWT
	it.add("JWT issuer", m.show(j.Issuer))
	it.add("JWT audience", m.show(j.Audience))
	it.add("JWT max lifetime", durationText(j.MaxLifetime, ""))
	it.add("JWT warn before expiry", durationText(j.WarnBefore, ""))
	it.add("JWT leeway", durationText(j.Leeway, ""))
	return it
}

// oidcItems describes an OIDC login check; the client secret and the
// canary's password are secrets.
func oidcItems(o checks.OIDCSpec, m masker) []configItem {
	var it items
	it.add("Discovery URL", m.red.URL(o.DiscoveryURL))
	it.add("Client id", m.show(o.ClientID))
	it.add("Client", map[bool]string{true: "public (PKCE only)", false: "confidential (client_secret_basic)"}[o.ClientSecret == ""])
	if o.ClientSecret != "" {
		it.add("Client secret", secret(o.ClientSecret))
	}
	it.add("Redirect URI", m.red.URL(o.RedirectURI))
	it.add("Scopes", strings.Join(o.Scopes, " "))
	it.add("Canary user", m.show(o.Username))
	it.add("Canary password", secret(o.Password))
	it.add("Username field", o.UsernameField)
	it.add("Password field", o.PasswordField)
	it.add("Login form action", o.FormAction)
	it.add("Consent", map[bool]string{true: "given when asked", false: "a consent page fails the login"}[o.Consent])
	return it
}

// loginItems describes a login step; the posted password is a secret, and
// extra fields are masked when their name or value says so.
func loginItems(l checks.LoginSpec, m masker) []configItem {
	var it items
	it.add("Login URL", m.red.URL(l.URL))
	it.add("Login method", l.Method)
	it.add("Login format", l.Format)
	it.add("Username field", l.UsernameField)
	it.add("Password field", l.PasswordField)
	for _, kv := range mapItems(l.Extra, m) {
		it.add("Extra field "+kv.Label, kv.Value)
	}
	it.add("Token from JSON", l.TokenJSON)
	it.add("Token from header", l.TokenHeader)
	it.add("Token from cookie", l.TokenCookie)
	it.add("Token used as", l.Use)
	it.add("Token cached for", durationText(l.TTL, ""))
	it.add("Session URL", m.red.URL(l.SessionURL))
	it.add("Login status", intList(l.Status, ""))
	it.add("Wrong password status", intList(l.WrongStatus, ""))
	it.add("Canary user", m.show(l.CanaryUser))
	return it
}
