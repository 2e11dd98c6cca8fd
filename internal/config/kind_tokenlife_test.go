package config

import (
	"slices"
	"testing"

	"github.com/authmon/monitor/internal/checks"
)

const tokenLifeDoc = `
[[check]]
name = "life"
kind = "token"
url = "https://idp.example.com/token"
[check.token]
client_id = "monitor"
client_secret = "monitor-secret-1"
username = "canary"
password = "canary-password-1"
audience = "https://api.example.com"
revocation_url = "https://idp.example.com/revoke"
introspection_url = "https://idp.example.com/introspect"
protected_url = "https://api.example.com/me"
revocation_within = "0s"
discovery_url = "https://idp.example.com/.well-known/openid-configuration"
[check.token.refresh]
grant = "password"
scopes = ["openid", "offline_access"]
family_revoked = true
[check.token.other]
client_id = "billing"
client_secret = "billing-secret-CANARY"
`

func TestTokenLifeKeys(t *testing.T) {
	cfg, err := Parse("c.toml", []byte(tokenLifeDoc), lookupIn(nil))
	if err != nil {
		t.Fatal(err)
	}
	ch := cfg.Checks[0]
	life := ch.Token.Life
	if life == nil || life.RevocationWithin != 0 || life.ProtectedURL != "https://api.example.com/me" ||
		life.Refresh == nil || !life.Refresh.Rotation || !life.Refresh.FamilyRevoked || life.Refresh.Grant != "password" ||
		life.Other == nil || life.Other.ClientID != "billing" {
		t.Fatalf("life = %+v", life)
	}
	var kinds []checks.ProbeKind
	for _, p := range ch.Probes {
		kinds = append(kinds, p.Kind)
	}
	want := []checks.ProbeKind{checks.ProbeToken, checks.ProbeTokenSecret, checks.ProbeTokenPassword, checks.ProbeRevocation,
		checks.ProbeIntrospection, checks.ProbeRefresh, checks.ProbeAudience, checks.ProbeIDToken, checks.ProbeKeys}
	if !slices.Equal(kinds, want) {
		t.Errorf("probes %v, want %v", kinds, want)
	}
	if !slices.Contains(ch.Secrets, "billing-secret-CANARY") {
		t.Errorf("the other client's secret is not a secret: %v", ch.Secrets)
	}
}
