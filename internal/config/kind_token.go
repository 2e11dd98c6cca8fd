package config

import (
	"net/url"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// buildTokenCheck: a token check authenticates as an OAuth2 client at its
// URL, the token endpoint. The client comes from an oauth2 credential set
// (its token_url is the default URL) or from [check.token].
func buildTokenCheck(c *collector, key string, s *checkSection, ch *checks.Check) []string {
	t := s.Token
	if t == nil {
		t = &tokenSection{}
	}
	spec := checks.TokenSpec{ClientID: t.ClientID, ClientSecret: t.ClientSecret, Scopes: t.Scopes,
		Username: t.Username, Password: t.Password,
		WrongSecretStatus: t.WrongSecretStatus, WrongPasswordStatus: t.WrongPasswordStatus}
	tkey := key + ".token"
	switch ch.Auth.Kind {
	case checks.AuthOAuth2:
		client := map[string]bool{"client_id": t.ClientID != "", "client_secret": t.ClientSecret != "",
			"scopes": t.Scopes != nil, "auth_style": t.AuthStyle != ""}
		for _, name := range []string{"auth_style", "client_id", "client_secret", "scopes"} {
			if client[name] {
				c.add(tkey+"."+name, "comes from the oauth2 credentials: leave it out here")
			}
		}
		if o := ch.Auth.OAuth2; o != nil {
			spec.ClientID, spec.ClientSecret, spec.Scopes, spec.AuthStyle = o.ClientID, o.ClientSecret, o.Scopes, o.AuthStyle
			if ch.URL == "" {
				ch.URL = o.TokenURL
			}
		}
	case checks.AuthNone:
		if s.Token == nil {
			c.add(key, "a token check needs [check.token] with client_id and client_secret, or credentials naming an oauth2 set")
			break
		}
		for _, f := range []struct{ name, v string }{{"client_id", t.ClientID}, {"client_secret", t.ClientSecret}} {
			if f.v == "" {
				c.add(tkey+"."+f.name, "required (or name an oauth2 credential set with credentials = \"NAME\")")
			}
		}
		spec.AuthStyle = authStyle(c, tkey+".auth_style", t.AuthStyle)
		checkScopes(c, tkey+".scopes", t.Scopes)
	default:
		c.add(credentialKey(key, s), "a token check authenticates as an OAuth2 client: use an oauth2 credential set or [check.token], not %q", ch.Auth.Kind)
	}
	if (t.Username == "") != (t.Password == "") {
		c.add(tkey, "set both username and password (they add the wrong-password probe) or neither")
	}
	life, lifeSecrets := buildTokenLife(c, tkey, t)
	spec.Life = life
	ch.Token = &spec
	return append([]string{t.ClientSecret, t.Password}, lifeSecrets...)
}

// buildDiscoveryCheck: a discovery check fetches its URL, a discovery
// document, which must name the configured issuer exactly (RFC 8414 §3.3).
func buildDiscoveryCheck(c *collector, key string, s *checkSection, ch *checks.Check) {
	d := s.Discovery
	if d == nil {
		c.add(key, "a discovery check needs [check.discovery] with the issuer the document must name")
		return
	}
	dkey := key + ".discovery"
	spec := checks.DiscoverySpec{Issuer: d.Issuer, Required: d.Required, JWKS: d.JWKS == nil || *d.JWKS}
	switch {
	case d.Issuer == "":
		c.add(dkey+".issuer", "required: the exact issuer the document must name, e.g. \"https://idp.example.com\"")
	case isURLWithExtras(d.Issuer):
		c.add(dkey+".issuer", "an issuer has no query or fragment (RFC 8414 §2)")
	default:
		checkURL(c, dkey+".issuer", d.Issuer)
	}
	seen := make(map[string]bool, len(d.Required)) // a set: a long list stays linear
	for i, m := range d.Required {
		switch {
		case m == "":
			c.add(dkey+".required["+itoa(i)+"]", "empty member name")
		case seen[m]:
			c.add(dkey+".required["+itoa(i)+"]", "%q listed twice", m)
		}
		seen[m] = true
	}
	ch.Discovery = &spec
}

func isURLWithExtras(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.RawQuery != "" || u.Fragment != "" || u.ForceQuery)
}

// Defaults of the opt-in user-enumeration probe: it sends many failed
// logins, so it runs at most hourly unless told otherwise. Without
// unknown_user the probe makes up a new user name on every run.
const (
	DefaultEnumerationSamples   = 10
	DefaultEnumerationThreshold = 50 * time.Millisecond
	DefaultEnumerationEvery     = time.Hour
)

func buildEnumeration(c *collector, key string, e *enumerationSection, login *checks.LoginSpec) *checks.EnumerationSpec {
	spec := &checks.EnumerationSpec{UnknownUser: e.UnknownUser,
		Samples: DefaultEnumerationSamples, Threshold: DefaultEnumerationThreshold, Every: DefaultEnumerationEvery}
	if e.Samples != 0 || c.has(key+".samples") {
		if e.Samples < 2 || e.Samples > 100 {
			c.add(key+".samples", "must be between 2 and 100 pairs")
		}
		spec.Samples = int(e.Samples)
	}
	if e.Threshold.set {
		spec.Threshold = e.Threshold.Duration
	}
	if e.Every.set {
		if e.Every.Duration < time.Minute {
			c.add(key+".every", "must be at least 1m: the probe sends many failed logins")
		}
		spec.Every = e.Every.Duration
	}
	if login != nil && e.UnknownUser != "" && e.UnknownUser == login.CanaryUser {
		c.add(key+".unknown_user", "must differ from the canary user: it stands for a user that does not exist")
	}
	return spec
}

// Defaults of the JWT rules.
const (
	DefaultJWTWarnBefore = 7 * 24 * time.Hour
	DefaultJWTLeeway     = 2 * time.Minute
)

func buildJWT(c *collector, key string, j *jwtSection) checks.JWTRules {
	rules := checks.JWTRules{WarnBefore: DefaultJWTWarnBefore, Leeway: DefaultJWTLeeway}
	if j == nil {
		return rules
	}
	rules.Issuer, rules.Audience, rules.MaxLifetime = j.Issuer, j.Audience, j.MaxLifetime.Duration
	if j.WarnBefore.set {
		rules.WarnBefore = j.WarnBefore.Duration
	}
	if j.Leeway.set {
		if j.Leeway.Duration > time.Hour {
			c.add(key+".leeway", "at most 1h: a leeway is for clock skew")
		}
		rules.Leeway = j.Leeway.Duration
	}
	return rules
}
