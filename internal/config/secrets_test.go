package config

import (
	"slices"
	"strings"
	"testing"
)

// TestSecretsCoverEveryCredentialField: each secret field, each value from
// the environment, and the expired and scope tokens are secrets of the
// checks using them and of the config; names and URLs are not.
func TestSecretsCoverEveryCredentialField(t *testing.T) {
	doc := everyKind + `
[credentials.unused]
type = "cookie"
name = "sid"
value = "cookie-CANARY"
[credentials.key]
type = "api_key"
query = "api_key"
key = "key-CANARY"
`
	cfg, err := Parse("c.toml", []byte(doc), lookupIn(everyKindEnv))
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"idp-secret-CANARY", "app-pw-CANARY", "canary-pw-CANARY", "expired-CANARY", "scope-CANARY",
		"inline-secret-CANARY", "cookie-CANARY", "key-CANARY"}
	for _, s := range all {
		if !slices.Contains(cfg.Secrets, s) {
			t.Errorf("config secrets lack %q", s)
		}
	}
	perCheck := map[string][]string{
		"orders":         {"idp-secret-CANARY", "expired-CANARY", "scope-CANARY"},
		"profile":        {"app-pw-CANARY"},
		"login form":     {"canary-pw-CANARY"},
		"token endpoint": {"idp-secret-CANARY", "canary-pw-CANARY"},
		"token inline":   {"inline-secret-CANARY"},
	}
	for _, ch := range cfg.Checks {
		for _, s := range perCheck[ch.Name] {
			if !slices.Contains(ch.Secrets, s) {
				t.Errorf("%s: secrets lack %q", ch.Name, s)
			}
		}
		for _, s := range ch.Secrets {
			if !strings.Contains(s, "CANARY") {
				t.Errorf("%s: %q is not a secret", ch.Name, s)
			}
		}
	}
	for _, s := range cfg.Secrets {
		if !strings.Contains(s, "CANARY") {
			t.Errorf("config: %q is not a secret", s)
		}
	}
}

// TestEnvValuesAreSecrets: a value read from the environment is a secret
// wherever it is used, even in a key that is not secret by itself.
func TestEnvValuesAreSecrets(t *testing.T) {
	doc := `
[[check]]
name = "api"
url = "https://api.example.com/me"
[check.missing]
realm = "${MARKER}"
`
	cfg, err := Parse("c.toml", []byte(doc), lookupIn(map[string]string{"MARKER": "marker-CANARY"}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cfg.Secrets, "marker-CANARY") || !slices.Contains(cfg.Checks[0].Secrets, "marker-CANARY") {
		t.Fatalf("env value not a secret: %v / %v", cfg.Secrets, cfg.Checks[0].Secrets)
	}
}

// TestHeaderSecrets: a configured header named like a credential is a
// secret; any other header value is evidence. Every header value used to be
// a secret, so "application/json" was redacted from every check's
// Content-Type once secrets became process-wide.
func TestHeaderSecrets(t *testing.T) {
	doc := `
[[check]]
name = "api"
url = "https://api.example/orders"
headers = { Accept = "application/json", X-Tenant-Token = "tenant-CANARY", X-Signature = "sig-CANARY", X-Tenant = "acme" }
[check.auth]
type = "bearer"
token = "bearer-CANARY"
`
	cfg, err := Parse("c.toml", []byte(doc), lookupIn(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"tenant-CANARY", "sig-CANARY", "bearer-CANARY"} {
		if !slices.Contains(cfg.Secrets, s) || !slices.Contains(cfg.Checks[0].Secrets, s) {
			t.Errorf("%q is not a secret", s)
		}
	}
	for _, s := range []string{"application/json", "acme"} {
		if slices.Contains(cfg.Secrets, s) || slices.Contains(cfg.Checks[0].Secrets, s) {
			t.Errorf("%q is treated as a secret: it would be redacted from every check's evidence", s)
		}
	}
}
