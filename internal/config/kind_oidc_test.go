package config

import (
	"slices"
	"testing"

	"github.com/authmon/monitor/internal/checks"
)

const oidcDoc = `
[credentials.canary]
type = "basic"
username = "canary"
password = "${CANARY_PASSWORD}"

[[check]]
name = "sso"
kind = "oidc_login"
url = "https://idp.example.com"
credentials = "canary"
[check.oidc]
client_id = "authmon"
redirect_uri = "https://app.example.com/callback"
scopes = ["openid", "profile"]
password_field = "passwd"
consent = false
`

// TestOIDCKeys: [check.oidc] becomes the check's OIDCSpec, the canary
// user from a basic set whose password comes from the environment, every
// probe of the kind on by default, and the password a secret.
func TestOIDCKeys(t *testing.T) {
	cfg, err := Parse("c.toml", []byte(oidcDoc), lookupIn(map[string]string{"CANARY_PASSWORD": "canary-pw-from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	ch := cfg.Checks[0]
	o := ch.OIDC
	if o == nil || o.ClientID != "authmon" || o.Username != "canary" || o.Password != "canary-pw-from-env" ||
		o.PasswordField != "passwd" || o.Consent || o.ClientSecret != "" {
		t.Fatalf("oidc = %+v", o)
	}
	var kinds []checks.ProbeKind
	for _, p := range ch.Probes {
		kinds = append(kinds, p.Kind)
	}
	if !slices.Equal(kinds, checks.KindProbes[checks.KindOIDCLogin]) {
		t.Errorf("probes %v", kinds)
	}
	if !slices.Contains(ch.Secrets, "canary-pw-from-env") {
		t.Errorf("the password is not a secret: %v", ch.Secrets)
	}
}
