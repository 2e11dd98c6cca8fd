package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestDashboardPassesItsOwnChecks runs the monitor's own checks against the
// dashboard behind Basic and bearer auth: every assertion must pass, the
// challenges included (C1/C5 status and scheme, C2 strict grammar, C4 realm,
// C6/C7 the RFC 6750 error parameter).
func TestDashboardPassesItsOwnChecks(t *testing.T) {
	srv := httptest.NewServer(newAuthHandler(t, AuthConfig{
		Users: map[string]string{"ops": testHash(t, canary)}, Tokens: [][32]byte{tokenDigest(testToken)}}))
	defer srv.Close()
	denied := func(kinds ...checks.ProbeKind) []checks.ProbeSpec {
		specs := []checks.ProbeSpec{{Kind: checks.ProbeValid, BodyContains: `"checks"`}}
		for _, k := range kinds {
			specs = append(specs, checks.ProbeSpec{Kind: k, Realm: "authmon"})
		}
		return specs
	}
	kinds := []checks.ProbeKind{checks.ProbeMissing, checks.ProbeMalformed, checks.ProbeWrong}
	tests := []struct {
		name string
		auth checks.Credential
	}{
		{"basic", checks.Credential{Kind: checks.AuthBasic, Username: "ops", Password: canary}},
		{"bearer", checks.Credential{Kind: checks.AuthBearer, Token: testToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := checks.Check{Name: "dashboard " + tt.name, Method: "GET", URL: srv.URL + "/api/v1/checks",
				Timeout: 5 * time.Second, MaxBody: 1 << 20, Auth: tt.auth, Probes: denied(kinds...),
				Secrets: []string{canary, testToken}}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res := checks.Run(ctx, checks.NewClient(1), ch)
			if len(res.Probes) != 1+len(kinds) {
				t.Fatalf("%d probes ran, want %d", len(res.Probes), 1+len(kinds))
			}
			ids := map[string]bool{}
			for _, p := range res.Probes {
				for _, a := range p.Assertions {
					ids[a.ID] = true
					if !a.Pass {
						t.Errorf("%s: %s failed: %s", p.Kind, a.ID, a.Reason)
					}
				}
			}
			want := []string{"C2", "C4"}
			if tt.name == "bearer" {
				want = []string{"C2", "C6", "C7"}
			}
			for _, id := range want {
				if !ids[id] {
					t.Errorf("assertion %s was not judged (judged: %v)", id, ids)
				}
			}
			if strings.Contains(res.Summary(), canary) || strings.Contains(res.Summary(), testToken) {
				t.Error("a secret in the run's summary")
			}
		})
	}
}
