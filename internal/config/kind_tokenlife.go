package config

import (
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// MaxRevocationWithin bounds revocation_within: the revocation probe polls
// for that long within one run.
const MaxRevocationWithin = 5 * time.Minute

// tokenLifeKeys are the keys of [check.token] for the token-life probes
// (checks/life.go); tokenSection embeds them.
type tokenLifeKeys struct {
	Audience         string        `toml:"audience"`
	Resource         string        `toml:"resource"`
	RevocationURL    string        `toml:"revocation_url"`
	IntrospectionURL string        `toml:"introspection_url"`
	ProtectedURL     string        `toml:"protected_url"`
	RevocationWithin zeroDuration  `toml:"revocation_within"`
	JWKSURI          string        `toml:"jwks_uri"`
	DiscoveryURL     string        `toml:"discovery_url"`
	Refresh          *refreshTable `toml:"refresh"`
	Other            *otherTable   `toml:"other"`
}

// refreshTable is [check.token.refresh].
type refreshTable struct {
	Grant         string   `toml:"grant"`
	Scopes        []string `toml:"scopes"`
	Rotation      *bool    `toml:"rotation"` // nil: the default, true
	FamilyRevoked bool     `toml:"family_revoked"`
}

// otherTable is [check.token.other]: how to obtain a token for another
// audience.
type otherTable struct {
	Audience     string `toml:"audience"`
	Resource     string `toml:"resource"`
	ClientID     string `toml:"client_id"`
	ClientSecret string `toml:"client_secret"`
}

// zeroDuration is a duration that may be zero ("0s": at once).
type zeroDuration struct {
	time.Duration
	set bool
}

func (d *zeroDuration) setTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("expected a duration string such as \"5s\" or \"0s\", got %s", kindOf(v))
	}
	parsed, err := time.ParseDuration(s)
	if err != nil || parsed < 0 {
		return fmt.Errorf("%q is not a duration of zero or more (use e.g. \"0s\", \"5s\", \"1m\")", s)
	}
	d.Duration, d.set = parsed, true
	return nil
}

// buildTokenLife validates the token-life keys of [check.token] (tkey) and
// returns them, nil when none is set, with the secrets they hold.
func buildTokenLife(c *collector, tkey string, t *tokenSection) (*checks.TokenLife, []string) {
	k := t.tokenLifeKeys
	if k == (tokenLifeKeys{}) {
		return nil, nil
	}
	life := &checks.TokenLife{Audience: k.Audience, Resource: k.Resource, RevocationURL: k.RevocationURL,
		IntrospectionURL: k.IntrospectionURL, ProtectedURL: k.ProtectedURL, RevocationWithin: k.RevocationWithin.Duration,
		JWKSURL: k.JWKSURI, DiscoveryURL: k.DiscoveryURL}
	for _, u := range []struct{ name, v string }{{"revocation_url", k.RevocationURL}, {"introspection_url", k.IntrospectionURL},
		{"protected_url", k.ProtectedURL}, {"jwks_uri", k.JWKSURI}, {"discovery_url", k.DiscoveryURL}} {
		if u.v != "" {
			checkURL(c, tkey+"."+u.name, u.v)
		}
	}
	switch {
	case k.RevocationWithin.set && k.RevocationURL == "":
		c.add(tkey+".revocation_within", "applies to the revocation probe: set revocation_url too, or remove it")
	case k.RevocationWithin.Duration > MaxRevocationWithin:
		c.add(tkey+".revocation_within", "at most %s: the probe polls for that long in one run", MaxRevocationWithin)
	}
	if k.RevocationURL != "" && k.IntrospectionURL == "" && k.ProtectedURL == "" {
		c.add(tkey+".revocation_url", "needs introspection_url or protected_url to try the revoked token at")
	}
	if k.JWKSURI != "" && k.DiscoveryURL != "" {
		c.add(tkey+".discovery_url", "set jwks_uri or discovery_url, not both (discovery_url is only read for its jwks_uri)")
	}
	life.Refresh = buildRefresh(c, tkey+".refresh", k.Refresh, t)
	var secrets []string
	life.Other, secrets = buildOther(c, tkey+".other", k.Other, k.ProtectedURL)
	return life, secrets
}

func buildRefresh(c *collector, key string, r *refreshTable, t *tokenSection) *checks.RefreshSpec {
	if r == nil {
		return nil
	}
	spec := &checks.RefreshSpec{Grant: r.Grant, Scopes: r.Scopes, Rotation: r.Rotation == nil || *r.Rotation,
		FamilyRevoked: r.FamilyRevoked}
	switch r.Grant {
	case "", "client_credentials":
		spec.Grant = "client_credentials"
	case "password":
		if t.Username == "" || t.Password == "" {
			c.add(key+".grant", "the password grant needs username and password in [check.token]")
		}
	default:
		c.add(key+".grant", "unknown grant %q (want \"client_credentials\" or \"password\")", r.Grant)
	}
	if r.FamilyRevoked && !spec.Rotation {
		c.add(key+".family_revoked", "needs rotation = true: a server that does not rotate cannot tell a replay")
	}
	checkScopes(c, key+".scopes", r.Scopes)
	return spec
}

func buildOther(c *collector, key string, o *otherTable, protected string) (*checks.OtherToken, []string) {
	if o == nil {
		return nil, nil
	}
	ways := 0
	for _, set := range []bool{o.Audience != "", o.Resource != "", o.ClientID != "" || o.ClientSecret != ""} {
		if set {
			ways++
		}
	}
	switch {
	case ways == 0:
		c.add(key, "say how to get a token for another audience: audience, resource, or client_id and client_secret")
	case ways > 1 && o.ClientID == "":
		c.add(key, "set audience or resource, not both")
	case (o.ClientID == "") != (o.ClientSecret == ""):
		c.add(key, "set both client_id and client_secret of the other client")
	}
	if protected == "" {
		c.add(key, "needs protected_url in [check.token]: the other audience's token is presented there")
	}
	return &checks.OtherToken{Audience: o.Audience, Resource: o.Resource, ClientID: o.ClientID, ClientSecret: o.ClientSecret},
		[]string{o.ClientSecret}
}

// lifeProbeNeeds says why a token check cannot run a token-life probe,
// or "".
func lifeProbeNeeds(kind checks.ProbeKind, ch checks.Check) string {
	var life checks.TokenLife
	if ch.Token != nil && ch.Token.Life != nil {
		life = *ch.Token.Life
	}
	needs := map[checks.ProbeKind]struct {
		ok   bool
		what string
	}{
		checks.ProbeRevocation:    {life.RevocationURL != "", "needs revocation_url in [check.token]"},
		checks.ProbeIntrospection: {life.IntrospectionURL != "", "needs introspection_url in [check.token]"},
		checks.ProbeRefresh:       {life.Refresh != nil, "needs [check.token.refresh]"},
		checks.ProbeAudience:      {life.Other != nil && life.ProtectedURL != "", "needs [check.token.other] and protected_url in [check.token]"},
		checks.ProbeIDToken:       {life.ProtectedURL != "", "needs protected_url in [check.token]"},
		checks.ProbeKeys:          {life.JWKSURL != "" || life.DiscoveryURL != "", "needs jwks_uri or discovery_url in [check.token]"},
	}
	if n, ok := needs[kind]; ok && !n.ok {
		return n.what
	}
	return ""
}
