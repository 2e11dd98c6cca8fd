package web

import (
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/checks"
)

// secretChecks configures every secret a check can hold, each a distinct
// canary, next to settings that must be shown.
func secretChecks() ([]checks.Check, []string) {
	c := func(s string) string { return canary + "-" + s }
	secrets := []string{c("password"), c("token"), c("key"), c("cookie"), c("client-secret"), c("probe-token"),
		c("env-header"), c("token-secret"), c("grant-password"), c("login-extra"), c("env-user"), c("oidc-secret"), c("oidc-password")}
	list := []checks.Check{
		{Name: "basic", Group: "payments", Kind: checks.KindProtected, Schedule: "@every 30s", Timeout: 5 * time.Second,
			Method: "GET", URL: "https://api.example.com/me?key=" + c("key"), MaxBody: 4096, TLSWarnDays: []int{30, 14, 7},
			Headers: map[string]string{"Accept": "application/json", "X-Env": c("env-header"), "X-Api-Token": "literal-in-config"},
			Auth:    checks.Credential{Kind: checks.AuthBasic, Set: "payments-canary", Username: c("env-user"), Password: c("password")},
			Probes: []checks.ProbeSpec{
				{Kind: checks.ProbeValid, Status: []int{200, 204}, BodyContains: "canary-marker", JSON: map[string]string{"user.name": "canary"}},
				{Kind: checks.ProbeMissing, Scheme: "Basic", Realm: "payments"},
				{Kind: checks.ProbeExpired, Token: c("probe-token"), Error: "invalid_token"},
			},
			Secrets: secrets},
		{Name: "bearer", Schedule: "@every 1m", Method: "GET", URL: "https://api.example.com/orders",
			Auth:    checks.Credential{Kind: checks.AuthBearer, Token: c("token"), Cert: &tls.Certificate{}},
			Probes:  []checks.ProbeSpec{{Kind: checks.ProbeMissing}},
			Secrets: secrets},
		{Name: "oauth", Group: "identity", Kind: checks.KindProtected, Schedule: "@every 1m", Method: "GET", URL: "https://api.example.com/x",
			Auth: checks.Credential{Kind: checks.AuthOAuth2, OAuth2: &checks.OAuth2Spec{TokenURL: "https://idp.example.com/token",
				ClientID: "monitor", ClientSecret: c("client-secret"), Scopes: []string{"read", "write"}}},
			Secrets: secrets},
		{Name: "login", Group: "identity", Kind: checks.KindLogin, Schedule: "@every 5m", Method: "POST", URL: "https://app.example.com/login",
			Auth: checks.Credential{Kind: checks.AuthAPIKey, Header: "X-API-Key", Key: c("key"), Cookie: "sid", Value: c("cookie")},
			Login: &checks.LoginSpec{URL: "https://app.example.com/login", Format: "form", TokenCookie: "sid",
				Extra: map[string]string{"client_secret": c("login-extra"), "remember": "yes"}},
			Token:   &checks.TokenSpec{ClientID: "app", ClientSecret: c("token-secret"), Username: "canary", Password: c("grant-password")},
			Secrets: secrets},
		{Name: "sso", Group: "identity", Kind: checks.KindOIDCLogin, Schedule: "@every 1m", Method: "GET", URL: "https://idp.example.com",
			OIDC: &checks.OIDCSpec{ClientID: "authmon", ClientSecret: c("oidc-secret"), RedirectURI: "https://app.example.com/cb",
				Scopes: []string{"openid", "profile"}, Username: "canary", Password: c("oidc-password"), PasswordField: "passwd", Consent: true},
			Secrets: secrets},
	}
	return list, secrets
}

func TestConfigPageMasksSecrets(t *testing.T) {
	list, secrets := secretChecks()
	h := New(Deps{Store: seededStore(t), Checks: fixed(list), Now: func() time.Time { return t0 },
		Reload: func() (time.Time, error) { return t0.Add(-time.Hour), nil }})
	rec := get(t, h, "/config")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	for _, s := range append(secrets, "literal-in-config") {
		if strings.Contains(body, s) {
			t.Errorf("/config shows the secret %q", s)
		}
	}
	doc := parse(t, rec)
	if s := text(doc.Find(`[data-testid="reload-status"]`)); s != "✔ Loaded at 2026-03-01 11:00:00 UTC." {
		t.Errorf("reload status %q", s)
	}
	groups := doc.Find(`[data-testid="config-group"] > h2`).Map(func(_ int, s *goquery.Selection) string { return text(s) })
	if strings.Join(groups, "|") != "Group: identity|Group: payments|Checks without a group" {
		t.Errorf("groups %q", groups)
	}
	basic := spaced(doc.Find(`[data-check="basic"]`))
	for _, want := range []string{"Kind protected", "Schedule @every 30s", "Timeout 5s", "URL https://api.example.com/me?key=[REDACTED]",
		"Max body 4096 bytes", "TLS warnings 30, 14, 7 days before expiry", "Type basic", "Credential set payments-canary",
		"Username " + maskedText, "Password " + maskedText, "Accept application/json", "X-Api-Token " + maskedText,
		"X-Env " + maskedText, "valid Status: 200, 204 Body contains: canary-marker JSON user.name: canary",
		"missing Status: 401 Scheme: Basic Realm: payments", "expired Status: 401 Token: " + maskedText + " Bearer error: invalid_token"} {
		if !strings.Contains(basic, want) {
			t.Errorf("basic check lacks %q:\n%s", want, basic)
		}
	}
	for check, wants := range map[string][]string{
		"bearer": {"Token " + maskedText, "Client certificate " + maskedText, "Timeout default"},
		"oauth":  {"Type oauth2", "Token URL https://idp.example.com/token", "Client id monitor", "Client secret " + maskedText, "Scopes read write"},
		"login": {"Kind login", "Key " + maskedText, "Cookie value " + maskedText, "Extra field client_secret " + maskedText,
			"Extra field remember yes", "Token from cookie sid", "Password grant user canary", "Password grant password " + maskedText},
		"sso": {"Kind oidc_login", "Client id authmon", "Client confidential (client_secret_basic)", "Client secret " + maskedText,
			"Redirect URI https://app.example.com/cb", "Canary password " + maskedText, "Password field passwd", "Consent given when asked"},
	} {
		got := spaced(doc.Find(`[data-check="` + check + `"]`))
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("%s lacks %q:\n%s", check, want, got)
			}
		}
	}
}

// TestConfigPageReloadError lists every problem of a refused reload,
// without a secret it may quote.
func TestConfigPageReloadError(t *testing.T) {
	list, _ := secretChecks()
	refused := errors.New("checks.toml:3: check[0].url: invalid URL \"https://x/?k=" + canary + "-key\"\nchecks.toml:9: check[1].schedul: unknown key")
	h := New(Deps{Store: seededStore(t), Checks: fixed(list), Now: func() time.Time { return t0 },
		Reload: func() (time.Time, error) { return t0, refused }})
	doc := parse(t, get(t, h, "/config")) // get fails on the canary
	if s := text(doc.Find(`[data-testid="reload-status"]`)); !strings.Contains(s, "reload at 2026-03-01 12:00:00 UTC failed") {
		t.Errorf("reload status %q", s)
	}
	problems := doc.Find(`[data-testid="reload-problems"] li`).Map(func(_ int, s *goquery.Selection) string { return text(s) })
	if len(problems) != 2 || problems[0] != `checks.toml:3: check[0].url: invalid URL "https://x/?k=[REDACTED]"` {
		t.Errorf("problems %q", problems)
	}
}

func TestConfigPageInNavigation(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/"))
	if doc.Find(`[data-testid="nav-config"]`).AttrOr("href", "") != "/config" {
		t.Error("no link to /config in the navigation")
	}
	if n := parse(t, get(t, h, "/config")).Find(`[data-testid="check-config"]`).Length(); n != len(testChecks()) {
		t.Errorf("%d checks on /config, want %d", n, len(testChecks()))
	}
}

// spaced is the text of a selection with a space between the text of any
// two elements, so that <dt>Kind</dt><dd>login</dd> reads "Kind login".
func spaced(s *goquery.Selection) string {
	var parts []string
	var walk func(*goquery.Selection)
	walk = func(sel *goquery.Selection) {
		sel.Contents().Each(func(_ int, c *goquery.Selection) {
			if goquery.NodeName(c) == "#text" {
				parts = append(parts, c.Text())
				return
			}
			walk(c)
		})
	}
	walk(s)
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}
