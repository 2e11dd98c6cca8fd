package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/checks"
)

// checkNames runs `monitor check -format json` and lists the checks it ran.
func checkNames(t *testing.T, args ...string) (code int, names []string, errOut string) {
	t.Helper()
	code, out, errOut := runCLI(append([]string{"check", "-format", "json"}, args...)...)
	if code == exitConfig {
		return code, nil, errOut
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	for _, c := range rep.Checks {
		names = append(names, c.Name)
	}
	return code, names, errOut
}

// TestCheckSelection: names, globs and groups pick checks in config order;
// anything that selects nothing is a usage error that suggests a name.
func TestCheckSelection(t *testing.T) {
	cfg := gateConfig(t, gateTarget(t).URL)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"all", nil, "api: ok, v1|api bare|api waived|web open"},
		{"positional name", []string{"web open"}, "web open"},
		{"positional names keep config order", []string{"web open", "api bare"}, "api bare|web open"},
		{"flags after a name", []string{"web open", "-fail-on", "warning", "api bare"}, "api bare|web open"},
		{"a name after --", []string{"-fail-on", "warning", "--", "web open"}, "web open"},
		{"glob", []string{"-check", "api*"}, "api: ok, v1|api bare|api waived"},
		{"glob with a space", []string{"-check", "api *"}, "api bare|api waived"},
		{"glob as positional", []string{"api b*"}, "api bare"},
		{"glob case-insensitive", []string{"-check", "WEB*"}, "web open"},
		{"two globs", []string{"-check", "*open", "-check", "*waived"}, "api waived|web open"},
		{"group", []string{"-group", "web"}, "web open"},
		{"group case-insensitive", []string{"-group", "API"}, "api: ok, v1|api bare|api waived"},
		{"glob within a group", []string{"-group", "api", "-check", "*a*d"}, "api waived"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, names, errOut := checkNames(t, append([]string{"-config", cfg}, tc.args...)...)
			if got := strings.Join(names, "|"); got != tc.want {
				t.Fatalf("ran %q, want %q\n%s", got, tc.want, errOut)
			}
		})
	}
}

func TestCheckSelectionErrors(t *testing.T) {
	cfg := gateConfig(t, gateTarget(t).URL)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"typo in a name", []string{"api bear"}, `no check named "api bear" in the config (did you mean "api bare"?)`},
		{"part of a name", []string{"waived"}, `no check named "waived" in the config (did you mean "api waived"?)`},
		{"nothing close", []string{"zzzzzzzzzz"}, `no check named "zzzzzzzzzz" in the config` + "\n"},
		{"glob matching nothing", []string{"-check", "wbe*"}, `no check matches "wbe*" (did you mean "web open"?)`},
		{"bad glob", []string{"-check", "api["}, `bad pattern "api["`},
		{"typo in a group", []string{"-group", "wbe"}, `no group named "wbe" in the config (did you mean "web"?) (groups: "api", "web")`},
		{"empty intersection", []string{"-group", "web", "api bare"}, `no check matches both "api bare" and -group "web"`},
		{"unknown format", []string{"-format", "xml"}, `unknown -format "xml": want table, json, junit, github`},
		{"unknown severity", []string{"-fail-on", "high"}, `unknown -fail-on "high": want warning, conformance, availability, high-security, critical-security`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(append([]string{"check", "-config", cfg}, tc.args...)...)
			if code != exitConfig || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want 2 and %q in\n%s", code, tc.want, errOut)
			}
		})
	}
}

// TestCheckFailOn: the exit code follows the worst failure and -fail-on;
// by default any failure fails, as before the flag existed.
func TestCheckFailOn(t *testing.T) {
	cfg := gateConfig(t, gateTarget(t).URL)
	for _, tc := range []struct {
		failOn string
		checks []string
		want   int
	}{
		{"", []string{"api bare"}, exitFailed}, // conformance fails by default
		{"any", []string{"api bare"}, exitFailed},
		{"warning", []string{"api bare"}, exitFailed},
		{"conformance", []string{"api bare"}, exitFailed},
		{"availability", []string{"api bare"}, exitOK},
		{"critical-security", []string{"api bare"}, exitOK},
		{"critical-security", []string{"api bare", "web open"}, exitFailed},
		{"", []string{"api waived", "api: ok, v1"}, exitOK}, // waived never fails
	} {
		t.Run(tc.failOn+" "+strings.Join(tc.checks, ","), func(t *testing.T) {
			args := append([]string{"-config", cfg, "-fail-on", tc.failOn}, tc.checks...)
			if tc.failOn == "" {
				args = append([]string{"-config", cfg}, tc.checks...)
			}
			code, _, errOut := checkNames(t, args...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\n%s", code, tc.want, errOut)
			}
		})
	}
}

// TestDidYouMean is the suggestion rule on its own: a few edits away or
// contained, closest first, at most three.
func TestDidYouMean(t *testing.T) {
	names := []string{"orders api", "orders web", "billing", "orders admin", "sample login"}
	for in, want := range map[string]string{
		"orders apu": ` (did you mean "orders api"?)`,
		"orders":     ` (did you mean "orders api" or "orders web" or "orders admin"?)`,
		"LOGIN":      ` (did you mean "sample login"?)`,
		"unrelated":  ``,
		"":           ``,
	} {
		if got := didYouMean(in, names); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := selectChecks([]checks.Check{{Name: "a"}}, nil, []string{"x"}); err == nil ||
		!strings.Contains(err.Error(), "no check of the config sets group") {
		t.Fatalf("groups in a config without any: %v", err)
	}
}
