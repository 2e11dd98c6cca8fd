package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/checks"
)

// TestDefaultProbes: which probes a protected check runs when it lists
// none, per credential type, and the challenge scheme its refusals expect.
func TestDefaultProbes(t *testing.T) {
	const base = "valid missing malformed wrong"
	cases := []struct {
		name, auth, tables string
		probes, scheme     string
	}{
		{name: "no credentials", probes: "missing"},
		{name: "basic", auth: `type = "basic"` + "\nusername = \"u\"\npassword = \"p\"", probes: base, scheme: "Basic"},
		{name: "bearer", auth: `type = "bearer"` + "\ntoken = \"t\"", probes: base + " forged", scheme: "Bearer"},
		{name: "api key", auth: `type = "api_key"` + "\nheader = \"X-Key\"\nkey = \"k\"", probes: base},
		{name: "cookie", auth: `type = "cookie"` + "\nname = \"sid\"\nvalue = \"v\"", probes: base},
		{name: "oauth2", auth: `type = "oauth2"` + "\ntoken_url = \"https://idp.example.com/t\"\nclient_id = \"c\"\nclient_secret = \"s\"",
			probes: base + " forged", scheme: "Bearer"},
		{name: "login with a bearer token", auth: loginAuth(`token_json = "token"`), probes: base + " forged", scheme: "Bearer"},
		{name: "login with a cookie", auth: loginAuth(`token_cookie = "sid"`), probes: base + " forged"},
		{name: "bearer with expired and scope tokens", auth: `type = "bearer"` + "\ntoken = \"t\"",
			tables: "[check.expired]\ntoken = \"e\"\n[check.scope]\ntoken = \"s\"\n",
			probes: base + " expired scope forged", scheme: "Bearer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := "[[check]]\nname = \"a\"\nurl = \"https://api.example.com/\"\n"
			if tc.auth != "" {
				doc += "[check.auth]\n" + tc.auth + "\n"
			}
			cfg, err := Parse("c.toml", []byte(doc+tc.tables), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, p := range cfg.Checks[0].Probes {
				kinds = append(kinds, string(p.Kind))
				if p.Kind != checks.ProbeValid && p.Scheme != tc.scheme {
					t.Errorf("%s: scheme %q, want %q", p.Kind, p.Scheme, tc.scheme)
				}
			}
			if got := strings.Join(kinds, " "); got != tc.probes {
				t.Errorf("probes %q, want %q", got, tc.probes)
			}
		})
	}
}

func loginAuth(token string) string {
	return "type = \"login\"\nurl = \"https://app.example.com/login\"\nusername = \"u\"\npassword = \"p\"\n" + token
}

// TestExplicitProbes: probes = [...] selects and orders nothing: the run
// order is the kind's matrix.
func TestExplicitProbes(t *testing.T) {
	doc := `
[[check]]
name = "a"
url = "https://api.example.com/"
probes = ["wrong", "valid"]
[check.auth]
type = "bearer"
token = "t"
[[check]]
name = "b"
kind = "discovery"
url = "https://idp.example.com/.well-known/openid-configuration"
probes = ["discovery"]
[check.discovery]
issuer = "https://idp.example.com"
`
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(ps []checks.ProbeSpec) []checks.ProbeKind {
		var out []checks.ProbeKind
		for _, p := range ps {
			out = append(out, p.Kind)
		}
		return out
	}
	if got := kinds(cfg.Checks[0].Probes); !slices.Equal(got, []checks.ProbeKind{checks.ProbeValid, checks.ProbeWrong}) {
		t.Errorf("protected: %v", got)
	}
	if got := kinds(cfg.Checks[1].Probes); !slices.Equal(got, []checks.ProbeKind{checks.ProbeDiscovery}) {
		t.Errorf("discovery: %v", got)
	}
}

func TestJSONPaths(t *testing.T) {
	doc := `
[[check]]
name = "a"
url = "https://api.example.com/"
[check.auth]
type = "bearer"
token = "t"
[check.valid]
json = { user.name = "canary", "user.id" = "42", roles = { first = "admin" } }
`
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Checks[0].Probes[0].JSON
	want := map[string]string{"user.name": "canary", "user.id": "42", "roles.first": "admin"}
	if len(got) != len(want) {
		t.Fatalf("json = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("json[%q] = %q, want %q", k, got[k], v)
		}
	}
	_, err = Parse("c.toml", []byte(strings.Replace(doc, `"42"`, `42`, 1)), noEnv)
	if err == nil || !strings.Contains(err.Error(), `check[0].valid.json: user.id: expected a string, got integer 42`) {
		t.Fatalf("a number in json: %v", err)
	}
}
