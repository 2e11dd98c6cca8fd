package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// statusChecks are three checks, two of them in the group "auth".
const statusChecks = `
[[check]]
name = "sample login"
group = "auth"
url = "https://one.example.com/"
[[check]]
name = "token endpoint"
group = "auth"
url = "https://two.example.com/"
[[check]]
name = "billing api"
url = "https://three.example.com/"
`

func TestStatusPageResolvesChecksAndGroups(t *testing.T) {
	doc := statusChecks + `
[status_page]
title = "Acme status"
cache = "10s"
[[status_page.component]]
name = "Sign-in"
description = "Logging in to the app"
groups = ["auth"]
checks = ["sample login"]
[[status_page.component]]
name = "Billing"
checks = ["billing api"]
`
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.StatusPage
	if p == nil || p.Title != "Acme status" || p.Cache != 10*time.Second || len(p.Components) != 2 {
		t.Fatalf("status page = %+v", p)
	}
	signIn := p.Components[0]
	if signIn.Name != "Sign-in" || signIn.Description != "Logging in to the app" ||
		!slices.Equal(signIn.Checks, []string{"sample login", "token endpoint"}) {
		t.Errorf("component 0 = %+v: want each check once, checks first", signIn)
	}
	if !slices.Equal(p.Components[1].Checks, []string{"billing api"}) {
		t.Errorf("component 1 = %+v", p.Components[1])
	}
}

// TestExampleStatusPage: the example turns the page on, so that a new user
// sees it at /status, with components by check and by group.
func TestExampleStatusPage(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "checks.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.StatusPage
	if p == nil || len(p.Components) != 2 {
		t.Fatalf("example status page = %+v", p)
	}
	if !slices.Equal(p.Components[0].Checks, []string{"sample login", "sample token endpoint"}) ||
		!slices.Equal(p.Components[1].Checks, []string{"sample basic profile", "sample bearer orders", "sample api key reports"}) {
		t.Errorf("components = %+v", p.Components)
	}
}

func TestStatusPageAbsentIsOff(t *testing.T) {
	cfg, err := Parse("c.toml", []byte(statusChecks), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StatusPage != nil {
		t.Fatalf("status page without [status_page] = %+v, want nil", cfg.StatusPage)
	}
}

func TestStatusPageDefaults(t *testing.T) {
	doc := statusChecks + "[status_page]\n[[status_page.component]]\nname = \"Billing\"\nchecks = [\"billing api\"]\n"
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.StatusPage; p.Title != DefaultStatusTitle || p.Cache != DefaultStatusCache {
		t.Errorf("defaults = %q, %s", p.Title, p.Cache)
	}
}

func TestStatusPageProblems(t *testing.T) {
	cases := []struct{ name, doc, problem string }{
		{"unknown check with a near name", "[status_page]\n[[status_page.component]]\nname = \"Login\"\nchecks = [\"sample logn\"]\n",
			`c.toml:16: status_page.component[0].checks[0]: no check named "sample logn" (did you mean "sample login"?)`},
		{"unknown check, nothing near", "[status_page]\n[[status_page.component]]\nname = \"Login\"\nchecks = [\"zzzzzzzz\"]\n",
			`c.toml:16: status_page.component[0].checks[0]: no check named "zzzzzzzz" (see the [[check]] names in this file)`},
		{"unknown group", "[status_page]\n[[status_page.component]]\nname = \"Login\"\ngroups = [\"Auht\"]\n",
			`c.toml:16: status_page.component[0].groups[0]: no check has group = "Auht" (did you mean "auth"?)`},
		{"no name", "[status_page]\n[[status_page.component]]\nchecks = [\"billing api\"]\n",
			`c.toml:14: status_page.component[0].name: required: the name customers see`},
		{"nothing named", "[status_page]\n[[status_page.component]]\nname = \"Login\"\n",
			`c.toml:14: status_page.component[0]: name the checks`},
		{"no component", "[status_page]\ntitle = \"x\"\n", `c.toml:13: status_page: add at least one [[status_page.component]]`},
		{"duplicate", "[status_page]\n[[status_page.component]]\nname = \"Login\"\nchecks = [\"billing api\"]\n" +
			"[[status_page.component]]\nname = \"login\"\nchecks = [\"billing api\"]\n",
			`c.toml:18: status_page.component[1].name: duplicate component name "login" (first used by status_page.component[0].name)`},
		{"short cache", "[status_page]\ncache = \"100ms\"\n[[status_page.component]]\nname = \"L\"\nchecks = [\"billing api\"]\n",
			`c.toml:14: status_page.cache: at least "1s"`},
		{"unknown key", "[status_page]\n[[status_page.component]]\nname = \"L\"\ncheck = [\"billing api\"]\n",
			`c.toml:16: status_page.component[0].check: unknown key (did you mean "checks"?)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(statusChecks+tc.doc), noEnv)
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("err = %v\nwant it to contain %s", err, tc.problem)
			}
		})
	}
}
