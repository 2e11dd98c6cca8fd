package checks

import (
	"reflect"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// A check's redactor is built once per definition: a reload that changes
// a secret, or the process's redactor, gets one that removes the new one.
func TestMemoRedactorFollowsTheDefinition(t *testing.T) {
	var m memo
	process := redact.New("process-secret-1")
	ch := Check{Name: "api", Auth: Credential{Kind: AuthBasic, Username: "u", Password: "first-password"}}
	first := m.redactor(process, ch)
	if m.redactor(process, ch) != first {
		t.Fatal("the same definition built a second redactor")
	}
	for name, change := range map[string]func(*Check){
		"password": func(c *Check) { c.Auth.Password = "second-password" },
		"kind":     func(c *Check) { c.Auth = Credential{Kind: AuthBearer, Token: "second-password"} },
		// The process's redactor knows a check's configured secrets; a
		// check's own redactor adds its credential's (see runRedactor).
		"secrets": func(c *Check) { c.Secrets = []string{"another"}; c.Auth.Password = "second-password" },
		"oauth2": func(c *Check) {
			c.Auth = Credential{Kind: AuthOAuth2, OAuth2: &OAuth2Spec{ClientID: "id", ClientSecret: "second-password"}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			next := ch
			change(&next)
			red := m.redactor(process, next)
			if red == first {
				t.Fatal("a changed definition kept its old redactor")
			}
			if got := red.String("x second-password x process-secret-1"); got != "x [REDACTED] x [REDACTED]" {
				t.Errorf("redacted %q", got)
			}
		})
	}
	if only := (Check{Name: ch.Name, Auth: ch.Auth, Secrets: []string{"another"}}); m.redactor(process, only) == first {
		t.Error("changed configured secrets kept the old redactor")
	}
	if red := m.redactor(redact.New("other-process-secret"), ch); red == first ||
		red.String("other-process-secret first-password") != "[REDACTED] [REDACTED]" {
		t.Error("a new process redactor was not used")
	}
}

// A remembered verdict on a configured JWT is JudgeJWT's at every instant:
// up to its expiry warning, across it, and never a failing one.
func TestMemoJWTVerdictIsJudgeJWTs(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	exp := now.Add(10 * 24 * time.Hour)
	tok := makeJWT(t, map[string]any{"alg": "RS256", "kid": "k1"},
		map[string]any{"iss": "https://idp.test", "exp": exp.Unix(), "iat": now.Add(-time.Hour).Unix()})
	rules := JWTRules{Issuer: "https://idp.test", MaxLifetime: 30 * 24 * time.Hour}
	var m memo
	for _, at := range []time.Time{now, now.Add(time.Hour), exp.Add(-7*24*time.Hour - time.Second),
		exp.Add(-7 * 24 * time.Hour), exp.Add(-time.Hour), exp.Add(time.Hour), now} {
		want := JudgeJWT(ProbeValid, tok, rules, at, false)
		if got := m.judgeConfiguredJWT(ProbeValid, tok, rules, at); !reflect.DeepEqual(got, want) {
			t.Errorf("at %s:\n got %+v\nwant %+v", at, got, want)
		}
	}
	if got := m.judgeConfiguredJWT(ProbeValid, "not-a-jwt", rules, now); got != nil {
		t.Errorf("an opaque token got %+v", got)
	}
}
