package checks

import (
	"context"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/checks/fositetest"
)

// oidcCheck is an OIDC login check of the fosite server's public client.
func oidcCheck(s *fositetest.Server) Check {
	return Check{Name: "oidc", Kind: KindOIDCLogin, URL: s.URL, OIDC: &OIDCSpec{
		ClientID: fositetest.PublicClientID, RedirectURI: s.CallbackURL(), Scopes: []string{"openid", "profile"},
		Username: fositetest.User, Password: fositetest.Password, Consent: true}}
}

// oidcVerdicts maps every assertion id of a result to whether it passed
// (false if any instance failed).
func oidcVerdicts(res Result) map[string]bool {
	m := map[string]bool{}
	for _, p := range res.Probes {
		for _, a := range p.Assertions {
			if prev, ok := m[a.ID]; ok {
				m[a.ID] = prev && a.Pass
			} else {
				m[a.ID] = a.Pass
			}
		}
	}
	return m
}

func dumpRun(t *testing.T, res Result) {
	t.Helper()
	for _, p := range res.Probes {
		t.Logf("%-16s %s %s -> %d %s", p.Kind, p.Method, p.URL, p.Status, p.Error)
		for _, a := range p.Assertions {
			t.Logf("    %-12s %v %s", a.ID, a.Pass, a.Reason)
		}
	}
}

// TestOIDCLoginHealthy: against a healthy fosite IdP the login walks
// every leg (authorize, login form, login, consent, callback, exchange)
// and every assertion passes.
func TestOIDCLoginHealthy(t *testing.T) {
	s := fositetest.New(t)
	res := Run(context.Background(), NewClient(4), oidcCheck(s))
	v := oidcVerdicts(res)
	for _, id := range []string{"A8", "B20", "B20.plain", "B21", "B21.prefix", "B22", "C24", "C24.nonce",
		"C24.iss", "C24.aud", "C24.azp", "C24.exp", "C24.at_hash"} {
		if pass, ok := v[id]; !ok || !pass {
			dumpRun(t, res)
			t.Fatalf("%s: judged %v, passed %v", id, ok, pass)
		}
	}
	if testing.Verbose() {
		dumpRun(t, res)
	}
	legs := map[ProbeKind]bool{}
	for _, p := range res.Probes {
		legs[p.Kind] = true
		if p.Kind != ProbeDiscovery && p.Latency <= 0 && p.Error == "" {
			t.Errorf("%s: no latency recorded", p.Kind)
		}
	}
	for _, k := range []ProbeKind{ProbeAuthorize, ProbeLoginForm, ProbeLoginPost, ProbeConsent, ProbeCallback,
		ProbeCodeExchange, ProbeCodeReuse, ProbePKCEMissing, ProbePKCEPlain, ProbeRedirectForeign, ProbeRedirectPrefix} {
		if !legs[k] {
			dumpRun(t, res)
			t.Errorf("no %s leg recorded", k)
		}
	}
}

// TestOIDCLoginFaults: each way production IdPs break is caught by its
// assertion, and only the assertions it concerns fail.
func TestOIDCLoginFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault fositetest.Faults
		fails []string
	}{
		{"PKCE optional, plain allowed", fositetest.Faults{PKCEOptional: true}, []string{"B20", "B20.plain"}},
		{"redirect_uri prefix match", fositetest.Faults{RedirectPrefixMatch: true}, []string{"B21.prefix"}},
		{"code reuse allowed", fositetest.Faults{CodeReuse: true}, []string{"B22"}},
		{"state not echoed", fositetest.Faults{StateDropped: true}, []string{"C24"}},
		{"nonce dropped", fositetest.Faults{NonceDropped: true}, []string{"C24.nonce"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := fositetest.New(t)
			s.Break(c.fault)
			res := Run(context.Background(), NewClient(4), oidcCheck(s))
			v := oidcVerdicts(res)
			var failed []string
			for id, pass := range v {
				if !pass {
					failed = append(failed, id)
				}
			}
			for _, id := range c.fails {
				if pass, ok := v[id]; !ok || pass {
					dumpRun(t, res)
					t.Fatalf("%s not caught (judged %v); failed: %v", id, ok, failed)
				}
			}
			if len(failed) != len(c.fails) {
				dumpRun(t, res)
				t.Errorf("failed %v, want exactly %v", failed, c.fails)
			}
		})
	}
}

// TestOIDCLoginPKCEAtTokenEndpoint: an IdP that issues a code to an
// authorize request without S256 PKCE but refuses to exchange it passes
// B20 and B20.plain, each with a deviation saying so.
func TestOIDCLoginPKCEAtTokenEndpoint(t *testing.T) {
	s := fositetest.New(t)
	s.Break(fositetest.Faults{PKCEAtTokenOnly: true})
	res := Run(context.Background(), NewClient(4), oidcCheck(s))
	seen := 0
	for _, p := range res.Probes {
		for _, a := range p.Assertions {
			if !a.Pass {
				dumpRun(t, res)
				t.Fatalf("%s failed", a.ID)
			}
			if a.ID == "B20" || a.ID == "B20.plain" {
				seen++
				if p.Kind != ProbePKCEMissing && p.Kind != ProbePKCEPlain || p.Method != "POST" || !strings.Contains(a.Deviation, "token endpoint only") {
					t.Errorf("%s on %s %s: deviation %q", a.ID, p.Kind, p.Method, a.Deviation)
				}
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d PKCE verdicts, want 2", seen)
	}
}

// TestOIDCLoginWrongPassword: a canary password the IdP refuses fails A8
// at the login leg, and nothing is exchanged.
func TestOIDCLoginWrongPassword(t *testing.T) {
	s := fositetest.New(t)
	ch := oidcCheck(s)
	ch.OIDC.Password = "not-the-canary-password"
	res := Run(context.Background(), NewClient(4), ch)
	if v := oidcVerdicts(res); v["A8"] {
		dumpRun(t, res)
		t.Fatal("A8 passed with a wrong password")
	}
	for _, p := range res.Probes {
		if p.Kind == ProbeCodeExchange {
			t.Error("a code was exchanged")
		}
		for _, a := range p.Assertions {
			if a.ID == "A8" && !strings.Contains(a.Reason, "redirect_uri") {
				t.Errorf("A8 reason %q", a.Reason)
			}
		}
	}
}

// TestOIDCLoginConfidentialClient: a confidential client authenticates
// its code exchange with client_secret_basic, and the PKCE probes, which
// concern public clients, do not run.
func TestOIDCLoginConfidentialClient(t *testing.T) {
	s := fositetest.New(t)
	ch := oidcCheck(s)
	ch.OIDC.ClientID, ch.OIDC.ClientSecret = fositetest.ClientID, fositetest.ClientSecret
	res := Run(context.Background(), NewClient(4), ch)
	v := oidcVerdicts(res)
	for id, pass := range v {
		if !pass {
			dumpRun(t, res)
			t.Fatalf("%s failed", id)
		}
	}
	if _, ok := v["B20.plain"]; ok || !v["A8"] || !v["B22"] {
		t.Errorf("verdicts %v", v)
	}
	if _, ok := v["B20"]; ok {
		t.Errorf("verdicts %v", v)
	}
}

// TestOIDCLoginFieldOverrides: field names and the form given in the
// config win over what the driver would guess; a wrong override fails A8.
func TestOIDCLoginFieldOverrides(t *testing.T) {
	s := fositetest.New(t)
	ch := oidcCheck(s)
	ch.OIDC.UsernameField, ch.OIDC.PasswordField, ch.OIDC.FormAction = fositetest.UserField, fositetest.PasswordField, "/login"
	if res := Run(context.Background(), NewClient(4), ch); !oidcVerdicts(res)["A8"] {
		dumpRun(t, res)
		t.Fatal("the login with explicit fields failed")
	}
	ch.OIDC.FormAction = "/no-such-form"
	if res := Run(context.Background(), NewClient(4), ch); oidcVerdicts(res)["A8"] {
		t.Fatal("A8 passed though the configured form does not exist")
	}
}

// TestOIDCLoginConsentRefused: with consent = false a consent page fails
// A8 saying why, and the negative probes, which need the IdP session, do
// not run (rather than pass on a login page).
func TestOIDCLoginConsentRefused(t *testing.T) {
	s := fositetest.New(t)
	ch := oidcCheck(s)
	ch.OIDC.Consent = false
	res := Run(context.Background(), NewClient(4), ch)
	v := oidcVerdicts(res)
	if v["A8"] || len(v) != 1 {
		dumpRun(t, res)
		t.Fatalf("verdicts %v, want only a failed A8", v)
	}
	last := res.Probes[len(res.Probes)-1]
	if last.Kind != ProbeConsent || !strings.Contains(last.Assertions[0].Reason, "consent") {
		t.Errorf("last leg %s: %+v", last.Kind, last.Assertions)
	}
}
