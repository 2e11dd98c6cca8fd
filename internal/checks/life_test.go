package checks

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks/fositetest"
)

// lifeCheck is a token check of the fosite server with every token-life
// probe configured, as the README's example stanza does.
func lifeCheck(s *fositetest.Server) Check {
	return Check{Name: "fosite", Kind: KindToken, URL: s.TokenURL(), Timeout: 5 * time.Second,
		Token: &TokenSpec{ClientID: fositetest.ClientID, ClientSecret: fositetest.ClientSecret, Scopes: []string{"api"},
			Username: fositetest.User, Password: fositetest.Password,
			Life: &TokenLife{Audience: fositetest.Audience, RevocationURL: s.RevocationURL(),
				IntrospectionURL: s.IntrospectionURL(), ProtectedURL: s.ResourceURL(), DiscoveryURL: s.DiscoveryURL(),
				Refresh: &RefreshSpec{Grant: "password", Scopes: []string{"api", "offline", "openid"}, Rotation: true, FamilyRevoked: true},
				Other:   &OtherToken{Audience: fositetest.OtherAudience}}}}
}

// lifeRunner runs checks against loopback with one key history across runs.
func lifeRunner() *Runner { return NewRunner(&http.Client{Timeout: 10 * time.Second}, nil, nil) }

// verdicts maps every assertion id of the run to whether it passed (an
// id judged twice fails if either failed).
func verdicts(res Result) map[string]bool {
	out := map[string]bool{}
	for _, p := range res.Probes {
		for _, a := range p.Assertions {
			if prev, seen := out[a.ID]; seen {
				out[a.ID] = prev && a.Pass
			} else {
				out[a.ID] = a.Pass
			}
		}
	}
	return out
}

// lifeIDs are the assertions of the token life a healthy server passes.
var lifeIDs = []string{"C22", "B17.introspection", "B17.resource", "C23", "B18", "C23.auth",
	"B19", "B19.rotation", "B19.reuse", "B19.family", "B2.audience", "B2.id_token", "A6", "A6.kid"}

func TestTokenLifeHealthyFosite(t *testing.T) {
	s := fositetest.New(t)
	rn := lifeRunner()
	for run := range 2 { // the second run has a key history to judge
		res := rn.Run(context.Background(), lifeCheck(s))
		v := verdicts(res)
		for _, id := range lifeIDs {
			if pass, ok := v[id]; !ok || !pass {
				t.Errorf("run %d: %s judged %v, pass %v", run, id, ok, pass)
			}
		}
		if run == 1 && (!v["A6.removed"] || !v["A6.overlap"]) {
			t.Errorf("run 2: key history verdicts %v", v)
		}
		for _, f := range res.Failures() {
			t.Logf("run %d: %s %s: %s", run, f.Probe, f.Assertion.ID, f.Assertion.Reason)
		}
	}
}

// TestTokenLifeCatchesBreakage breaks the server one way at a time, as
// production servers break, and expects the assertion meant for it to
// fail (and the healthy server, above, to pass it).
func TestTokenLifeCatchesBreakage(t *testing.T) {
	cases := []struct {
		name   string
		faults fositetest.Faults
		within time.Duration
		fails  []string
	}{
		{"introspection cache keeps revoked token active", fositetest.Faults{IntrospectionCache: time.Minute}, 0,
			[]string{"B17.introspection", "B17.resource"}},
		{"cache outlives revocation_within", fositetest.Faults{IntrospectionCache: time.Minute}, 300 * time.Millisecond,
			[]string{"B17.introspection", "B17.resource"}},
		{"introspection without client auth", fositetest.Faults{IntrospectionWithoutAuth: true}, 0, []string{"B18", "C23.auth"}},
		{"refresh rotation off", fositetest.Faults{NoRotation: true}, 0, []string{"B19.rotation", "B19.reuse"}},
		{"family not revoked after replay", fositetest.Faults{FamilyKept: true}, 0, []string{"B19.family"}},
		{"resource ignores audience", fositetest.Faults{ResourceIgnoresAudience: true}, 0, []string{"B2.audience"}},
		{"resource accepts any signed JWT", fositetest.Faults{ResourceAcceptsAnyJWT: true}, 0, []string{"B2.id_token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := fositetest.New(t)
			s.Break(tc.faults)
			ch := lifeCheck(s)
			ch.Token.Life.RevocationWithin = tc.within
			res := lifeRunner().Run(context.Background(), ch)
			v := verdicts(res)
			for _, id := range tc.fails {
				if pass, ok := v[id]; !ok || pass {
					t.Errorf("%s: judged %v, pass %v; want a failure", id, ok, pass)
				}
			}
			for _, f := range res.Failures() {
				t.Logf("%s %s: %s", f.Probe, f.Assertion.ID, f.Assertion.Reason)
			}
		})
	}
}

// TestRevocationWithinAllowsACache: a cache shorter than
// revocation_within passes; the poll waits for it.
func TestRevocationWithinAllowsACache(t *testing.T) {
	s := fositetest.New(t)
	s.Break(fositetest.Faults{IntrospectionCache: 300 * time.Millisecond})
	ch := lifeCheck(s)
	ch.Token.Life.RevocationWithin = 3 * time.Second
	ch.Probes = []ProbeSpec{{Kind: ProbeRevocation}}
	res := lifeRunner().Run(context.Background(), ch)
	v := verdicts(res)
	if !v["B17.introspection"] || !v["B17.resource"] {
		t.Fatalf("a 300ms cache within 3s: %v\n%s", v, res.Summary())
	}
}

func TestLifeEvidenceHoldsNoToken(t *testing.T) {
	s := fositetest.New(t)
	res := lifeRunner().Run(context.Background(), lifeCheck(s))
	for _, p := range res.Probes {
		blob := p.Body + strings.Join(p.ChallengeRaw, " ")
		for _, h := range append(p.Headers, p.RequestHeaders...) {
			blob += h.Value
		}
		for _, a := range p.Assertions {
			blob += a.Got + a.Reason + a.Expected
		}
		for _, secret := range []string{fositetest.ClientSecret, fositetest.Password, "eyJ"} {
			if strings.Contains(blob, secret) {
				t.Errorf("%s probe records %q", p.Kind, secret)
			}
		}
	}
}
