package checks

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/authmon/monitor/internal/checks/oidctest"
)

// zitadelCheck is an OIDC login check of the zitadel OP's client.
func zitadelCheck(s *oidctest.Server, secret string) Check {
	return Check{Name: "zitadel", Kind: KindOIDCLogin, URL: s.URL, OIDC: &OIDCSpec{
		ClientID: oidctest.ClientID, ClientSecret: secret, RedirectURI: s.CallbackURL(), Scopes: []string{"openid", "profile"},
		Username: oidctest.User, Password: oidctest.Password, Consent: true}}
}

func oidcFailed(res Result) []string {
	var out []string
	for id, pass := range oidcVerdicts(res) {
		if !pass {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// TestOIDCLoginZitadel runs the check against zitadel/oidc's OpenID
// Provider, healthy and broken. Healthy, it issues a code to an authorize
// request without code_challenge but refuses to exchange it (B20 passes
// with a deviation), and it accepts code_challenge_method=plain for a
// public client: B20.plain fails, a finding about zitadel/oidc v3.52.0,
// not about the check. Every fault is caught by its assertion.
func TestOIDCLoginZitadel(t *testing.T) {
	cases := []struct {
		name   string
		secret string
		fault  oidctest.Faults
		fails  []string
	}{
		{"healthy public client", "", oidctest.Faults{}, []string{"B20.plain"}},
		{"healthy confidential client", oidctest.ClientSecret, oidctest.Faults{}, nil},
		{"code reuse allowed", oidctest.ClientSecret, oidctest.Faults{CodeReuse: true}, []string{"B22"}},
		{"redirect_uri glob", oidctest.ClientSecret, oidctest.Faults{RedirectGlob: true}, []string{"B21.prefix"}},
		{"state dropped", oidctest.ClientSecret, oidctest.Faults{StateDropped: true}, []string{"C24"}},
		{"nonce dropped", oidctest.ClientSecret, oidctest.Faults{NonceDropped: true}, []string{"C24.nonce"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := oidctest.New(t, c.secret)
			s.Break(c.fault)
			res := Run(context.Background(), NewClient(4), zitadelCheck(s, c.secret))
			v := oidcVerdicts(res)
			if got := oidcFailed(res); !slices.Equal(got, c.fails) || !v["A8"] && !slices.Contains(c.fails, "A8") {
				dumpRun(t, res)
				t.Fatalf("failed %v, want %v", got, c.fails)
			}
			judged := []string{"A8", "B21", "B21.prefix", "B22", "C24", "C24.nonce", "C24.iss", "C24.aud", "C24.exp", "C24.at_hash"}
			if c.secret == "" {
				judged = append(judged, "B20", "B20.plain")
			}
			for _, id := range judged {
				if _, ok := v[id]; !ok {
					dumpRun(t, res)
					t.Fatalf("%s not judged", id)
				}
			}
		})
	}
}
