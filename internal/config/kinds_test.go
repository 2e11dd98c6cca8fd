package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// everyKind holds a check of every kind, the credential sets they name, and
// the protected probes' tables.
const everyKind = `
[credentials.idp]
type = "oauth2"
token_url = "https://idp.example.com/oauth/token"
client_id = "monitor"
client_secret = "${IDP_SECRET}"
scopes = ["orders:read", "orders:write"]

[credentials.app]
type = "login"
url = "https://app.example.com/api/login"
username = "canary"
password = "${APP_PASSWORD}"
format = "form"
token_json = "data.access_token"
extra = { tenant = "acme" }
ttl = "10m"
status = [200, 201]

[credentials.canary]
type = "basic"
username = "canary"
password = "${CANARY_PASSWORD}"

[[check]]
name = "orders"
group = "billing"
url = "https://api.example.com/orders"
credentials = "idp"
follow_redirects = true
tls_warn_days = [7, 60, 21]
[check.valid]
json = { user.name = "canary", "data.count" = "3" }
[check.expired]
token = "${EXPIRED_TOKEN}"
[check.scope]
token = "scope-CANARY"
[check.jwt]
issuer = "https://idp.example.com"
audience = "orders"
max_lifetime = "1h"

[[check]]
name = "invoices"
url = "https://api.example.com/invoices"
credentials = "idp"

[[check]]
name = "profile"
url = "https://app.example.com/profile"
credentials = "app"
[check.missing]
status = [401, 302]
location = "/login"

[[check]]
name = "login form"
kind = "login"
url = "https://app.example.com/login"
credentials = "canary"
[check.login]
token_cookie = "session"
session_url = "https://app.example.com/login"
wrong_status = [401, 200]
canary_user = "canary-locked"
[check.enumeration]
samples = 20

[[check]]
name = "login api"
kind = "login"
credentials = "app"

[[check]]
name = "token endpoint"
kind = "token"
credentials = "idp"
[check.token]
username = "canary"
password = "${CANARY_PASSWORD}"
wrong_password_status = [400, 401]

[[check]]
name = "token inline"
kind = "token"
url = "https://idp2.example.com/token"
[check.token]
client_id = "other"
client_secret = "inline-secret-CANARY"
auth_style = "post"

[[check]]
name = "discovery"
kind = "discovery"
url = "https://idp.example.com/.well-known/openid-configuration"
[check.discovery]
issuer = "https://idp.example.com"
required = ["jwks_uri", "token_endpoint"]
`

var everyKindEnv = map[string]string{
	"IDP_SECRET": "idp-secret-CANARY", "APP_PASSWORD": "app-pw-CANARY",
	"CANARY_PASSWORD": "canary-pw-CANARY", "EXPIRED_TOKEN": "expired-CANARY",
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func loadEveryKind(t *testing.T) map[string]checks.Check {
	t.Helper()
	cfg, err := Parse("c.toml", []byte(everyKind), lookupIn(everyKindEnv))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]checks.Check{}
	for _, ch := range cfg.Checks {
		out[ch.Name] = ch
	}
	return out
}

// want fills what every check of everyKind shares and what the test does
// not pin here (defaults, secrets, the shared Source).
func want(got, w checks.Check) checks.Check {
	w.Schedule, w.Timeout, w.MaxBody = DefaultSchedule, DefaultTimeout, DefaultMaxBody
	if w.Kind == "" {
		w.Kind = checks.KindProtected
	}
	if w.TLSWarnDays == nil {
		w.TLSWarnDays = []int{30, 14, 7}
	}
	if w.Kind != checks.KindDiscovery {
		w.JWT.WarnBefore, w.JWT.Leeway = DefaultJWTWarnBefore, DefaultJWTLeeway
	}
	w.Auth.Source, w.Secrets = got.Auth.Source, got.Secrets
	return w
}

func TestEveryCheckKind(t *testing.T) {
	got := loadEveryKind(t)
	idp := checks.Credential{Kind: checks.AuthOAuth2, Set: "idp", OAuth2: &checks.OAuth2Spec{
		TokenURL: "https://idp.example.com/oauth/token", ClientID: "monitor", ClientSecret: "idp-secret-CANARY",
		Scopes: []string{"orders:read", "orders:write"}, AuthStyle: "basic"}}
	appLogin := checks.LoginSpec{URL: "https://app.example.com/api/login", Method: "POST", Format: "form",
		UsernameField: "username", PasswordField: "password", Extra: map[string]string{"tenant": "acme"},
		TokenJSON: "data.access_token", Use: "bearer", TTL: 10 * time.Minute, Status: []int{200, 201}, CanaryUser: "canary"}
	app := checks.Credential{Kind: checks.AuthLogin, Set: "app", Username: "canary", Password: "app-pw-CANARY", Login: &appLogin}
	canary := checks.Credential{Kind: checks.AuthBasic, Set: "canary", Username: "canary", Password: "canary-pw-CANARY"}
	bearer := func(k checks.ProbeKind) checks.ProbeSpec { return checks.ProbeSpec{Kind: k, Scheme: "Bearer"} }
	cases := map[string]checks.Check{
		"orders": {Name: "orders", Group: "billing", Method: "GET", URL: "https://api.example.com/orders",
			Auth: idp, FollowRedirects: true, TLSWarnDays: []int{60, 21, 7},
			JWT: checks.JWTRules{Issuer: "https://idp.example.com", Audience: "orders", MaxLifetime: time.Hour},
			Probes: []checks.ProbeSpec{
				{Kind: checks.ProbeValid, JSON: map[string]string{"user.name": "canary", "data.count": "3"}},
				bearer(checks.ProbeMissing), bearer(checks.ProbeMalformed), bearer(checks.ProbeWrong),
				{Kind: checks.ProbeExpired, Scheme: "Bearer", Token: "expired-CANARY"},
				{Kind: checks.ProbeScope, Scheme: "Bearer", Token: "scope-CANARY", Status: []int{403}},
				bearer(checks.ProbeForged)}},
		"profile": {Name: "profile", Method: "GET", URL: "https://app.example.com/profile", Auth: app,
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid},
				{Kind: checks.ProbeMissing, Scheme: "Bearer", Status: []int{401, 302}, Location: "/login"},
				bearer(checks.ProbeMalformed), bearer(checks.ProbeWrong), bearer(checks.ProbeForged)}},
		"login form": {Name: "login form", Kind: checks.KindLogin, Method: "POST", URL: "https://app.example.com/login",
			Auth: canary, Login: &checks.LoginSpec{URL: "https://app.example.com/login", Method: "POST", Format: "json",
				UsernameField: "username", PasswordField: "password", TokenCookie: "session",
				SessionURL: "https://app.example.com/login", WrongStatus: []int{401, 200}, CanaryUser: "canary-locked"},
			Enumeration: &checks.EnumerationSpec{Samples: 20, Threshold: 50 * time.Millisecond, Every: time.Hour},
			Probes:      []checks.ProbeSpec{{Kind: checks.ProbeLogin}, {Kind: checks.ProbeLoginWrong}, {Kind: checks.ProbeEnumeration}}},
		"login api": {Name: "login api", Kind: checks.KindLogin, Method: "POST", URL: "https://app.example.com/api/login",
			Auth: app, Login: &appLogin,
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeLogin}, {Kind: checks.ProbeLoginWrong}}},
		"token endpoint": {Name: "token endpoint", Kind: checks.KindToken, Method: "POST", URL: "https://idp.example.com/oauth/token",
			Auth: idp, Token: &checks.TokenSpec{ClientID: "monitor", ClientSecret: "idp-secret-CANARY",
				Scopes: []string{"orders:read", "orders:write"}, AuthStyle: "basic", Username: "canary",
				Password: "canary-pw-CANARY", WrongPasswordStatus: []int{400, 401}},
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeToken}, {Kind: checks.ProbeTokenSecret}, {Kind: checks.ProbeTokenPassword}}},
		"token inline": {Name: "token inline", Kind: checks.KindToken, Method: "POST", URL: "https://idp2.example.com/token",
			Token:  &checks.TokenSpec{ClientID: "other", ClientSecret: "inline-secret-CANARY", AuthStyle: "post"},
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeToken}, {Kind: checks.ProbeTokenSecret}}},
		"discovery": {Name: "discovery", Kind: checks.KindDiscovery, Method: "GET",
			URL:       "https://idp.example.com/.well-known/openid-configuration",
			Discovery: &checks.DiscoverySpec{Issuer: "https://idp.example.com", Required: []string{"jwks_uri", "token_endpoint"}, JWKS: true},
			Probes:    []checks.ProbeSpec{{Kind: checks.ProbeDiscovery}, {Kind: checks.ProbeJWKS}}},
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			g, ok := got[name]
			if !ok {
				t.Fatalf("no check %q", name)
			}
			if w := want(g, w); !reflect.DeepEqual(g, w) {
				t.Errorf("got  %+v\nwant %+v", g, w)
			}
		})
	}
}

// TestNamedSetsShareOneSource: every check naming an oauth2 or login set
// uses one Source, so one token serves them all; a set's checks do not
// share it with another set's or with a later load.
func TestNamedSetsShareOneSource(t *testing.T) {
	got := loadEveryKind(t)
	orders, invoices, tokenCheck := got["orders"].Auth.Source, got["invoices"].Auth.Source, got["token endpoint"].Auth.Source
	if orders == nil || orders != invoices || orders != tokenCheck {
		t.Fatalf("checks naming idp have Sources %p, %p, %p: want one, shared", orders, invoices, tokenCheck)
	}
	profile, loginAPI := got["profile"].Auth.Source, got["login api"].Auth.Source
	if profile == nil || profile != loginAPI || profile == orders {
		t.Fatalf("checks naming app have Sources %p, %p (idp: %p)", profile, loginAPI, orders)
	}
	if got["login form"].Auth.Source != nil {
		t.Errorf("a basic set needs no Source")
	}
	if again := loadEveryKind(t); again["orders"].Auth.Source == orders {
		t.Errorf("a second load reuses the first load's Source")
	}
}

func TestInlineCredentialsGetTheirOwnSource(t *testing.T) {
	doc := `
[[check]]
name = "a"
url = "https://api.example.com/a"
[check.auth]
type = "oauth2"
token_url = "https://idp.example.com/token"
client_id = "c"
client_secret = "s"
[[check]]
name = "b"
url = "https://api.example.com/b"
[check.auth]
type = "oauth2"
token_url = "https://idp.example.com/token"
client_id = "c"
client_secret = "s"
`
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Checks[0].Auth, cfg.Checks[1].Auth
	if a.Source == nil || b.Source == nil || a.Source == b.Source || a.Set != "" {
		t.Fatalf("inline credentials: Sources %p and %p, set %q", a.Source, b.Source, a.Set)
	}
}

// TestSameCheck backs the reload: a check naming an oauth2 set loaded twice
// is the same check, although its Source is a new one; a changed secret
// makes it another.
func TestSameCheck(t *testing.T) {
	a, b := loadEveryKind(t), loadEveryKind(t)
	for name, ch := range a {
		if !SameCheck(ch, b[name]) {
			t.Errorf("%s: two loads of one file differ", name)
		}
	}
	env := map[string]string{}
	for k, v := range everyKindEnv {
		env[k] = v
	}
	env["IDP_SECRET"] = "rotated-CANARY"
	cfg, err := Parse("c.toml", []byte(everyKind), lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	if SameCheck(a["orders"], cfg.Checks[0]) {
		t.Errorf("a rotated client secret compares equal")
	}
}
