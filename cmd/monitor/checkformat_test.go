package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/web"
)

const gatePassword = "GATE-pw-77a1"

// gateTarget serves one well-behaved Basic endpoint (/ok), one whose 401s
// carry no challenge (/bare: conformance failures) and one open to anyone
// (/open: an auth bypass, critical-security).
func gateTarget(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pass, ok := r.BasicAuth()
		if r.URL.Path == "/open" || ok && pass == gatePassword {
			fmt.Fprint(w, `{"user":"canary"}`)
			return
		}
		if r.URL.Path == "/ok" {
			w.Header().Set("WWW-Authenticate", `Basic realm="gate", charset="UTF-8"`)
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// gateConfig writes four checks in two groups: passing, failing on
// conformance, passing with waived assertions, and an open endpoint.
func gateConfig(t *testing.T, base string) string {
	t.Helper()
	t.Setenv("GATE_PASSWORD", gatePassword)
	var b strings.Builder
	for i, c := range []struct{ name, group, path, extra string }{
		{"api: ok, v1", "api", "/ok", `[check.missing]` + "\n" + `realm = "gate"`},
		{"api bare", "api", "/bare", ""},
		{"api waived", "api", "/bare", ""},
		{"web open", "web", "/open", ""},
	} {
		ignore := ""
		if c.name == "api waived" {
			ignore = `ignore = ["C1", "C5"]`
		}
		fmt.Fprintf(&b, "[[check]]\nname = %q\ngroup = %q\nurl = %q\ntimeout = \"2s\"\n%s\n"+
			"[check.auth]\ntype = \"basic\"\nusername = \"canary%d\"\npassword = \"${GATE_PASSWORD}\"\n%s\n\n",
			c.name, c.group, base+c.path, ignore, i, c.extra) // a user each: one failed-login budget each
	}
	path := filepath.Join(t.TempDir(), "gate.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckFormatTable: a check name starts every row, waived assertions
// show, latency is in milliseconds, FAIL marks what sets the exit code.
func TestCheckFormatTable(t *testing.T) {
	cfg := gateConfig(t, gateTarget(t).URL)
	code, out, errOut := runCLI("check", "-config", cfg, "-fail-on", "critical-security")
	if code != exitFailed {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.Contains(lines[0], "LATENCY_MS") {
		t.Fatalf("header %q", lines[0])
	}
	names := regexp.MustCompile(`^(api: ok, v1|api bare|api waived|web open) +\w+ +(pass|FAIL|fail|waived) +\d{3} [A-Za-z ]+ +\d+\.\d `)
	for _, l := range lines[1 : len(lines)-2] {
		if !names.MatchString(l) {
			t.Errorf("row without its check name or a millisecond latency: %q", l)
		}
	}
	for _, want := range []string{
		`(?m)^api bare +missing +fail +401 Unauthorized +[\d.]+ +\[C1.challenge conformance\] without credentials`,
		`(?m)^api waived +missing +waived +401 Unauthorized +[\d.]+ +waived \[C1.challenge conformance\] without credentials`,
		`(?m)^web open +missing +FAIL +200 OK +[\d.]+ +\[B1 critical-security\]`,
		`(?m)^4 checks: 2 passed, 2 failed \(1 at or above -fail-on critical-security\); 3 assertions waived$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, gatePassword) {
		t.Fatal("the password is in the output")
	}
}

// TestCheckFormatJSON decodes the documented document strictly: every
// field is known, units are milliseconds as in the HTTP API.
func TestCheckFormatJSON(t *testing.T) {
	cfg := gateConfig(t, gateTarget(t).URL)
	code, out, errOut := runCLI("check", "-config", cfg, "-format", "json", "-fail-on", "high-security")
	var rep checkReport
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil || code != exitFailed {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if rep.FailOn != "high-security" || rep.Passed != 2 || rep.Failed != 2 || rep.Blocking != 1 || rep.ExitCode != exitFailed || len(rep.Checks) != 4 {
		t.Fatalf("summary %+v", rep)
	}
	byName := map[string]reportCheck{}
	for _, c := range rep.Checks {
		byName[c.Name] = c
	}
	open, bare, waivedC := byName["web open"], byName["api bare"], byName["api waived"]
	if !open.Blocking || open.Severity != "critical-security" || open.Failing[0].Assertion != "B1" || open.Group != "web" {
		t.Errorf("open: %+v", open)
	}
	if bare.Blocking || bare.Passed || bare.Severity != "conformance" || len(bare.Waived) != 0 {
		t.Errorf("bare: %+v", bare)
	}
	if !waivedC.Passed || len(waivedC.Waived) != 3 || waivedC.Waived[0].Assertion != "C1.challenge" || !anyWaived(waivedC.Probes[1]) {
		t.Errorf("waived: %+v", waivedC)
	}
	if p := open.Probes[0]; p.LatencyMS <= 0 || p.Timing.TotalMS <= 0 || p.Status != 200 || open.DurationMS <= 0 {
		t.Errorf("probe timing: %+v", p)
	}
	if strings.Contains(out, "_ns\"") || strings.Contains(out, gatePassword) {
		t.Fatal("nanosecond fields or the password in the JSON")
	}
	if code, _, _ := runCLI("check", "-config", cfg, "-json", "-format", "junit"); code != exitConfig {
		t.Fatalf("-json with -format junit: exit %d", code)
	}
}

func anyWaived(p web.APIProbe) bool {
	for _, a := range p.Assertions {
		if a.Waived {
			return true
		}
	}
	return false
}

// TestCheckFormatJUnit parses the XML: a suite per group, a case per
// check, a failure only for what blocks, waived and non-blocking failures
// in system-out.
func TestCheckFormatJUnit(t *testing.T) {
	cfg := gateConfig(t, gateTarget(t).URL)
	code, out, _ := runCLI("check", "-config", cfg, "-format", "junit", "-fail-on", "critical-security")
	var doc junitSuites
	if err := xml.Unmarshal([]byte(out), &doc); err != nil || code != exitFailed || !strings.HasPrefix(out, "<?xml") {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if doc.Tests != 4 || doc.Failures != 1 || len(doc.Suites) != 2 || doc.Suites[0].Name != "api" || doc.Suites[1].Name != "web" {
		t.Fatalf("doc %+v", doc)
	}
	api, web := doc.Suites[0], doc.Suites[1]
	if api.Tests != 3 || api.Failures != 0 || web.Failures != 1 || api.Properties[0] != (junitProperty{"fail_on", "critical-security"}) {
		t.Fatalf("suites %+v %+v", api, web)
	}
	f := web.Cases[0].Failure
	if f == nil || f.Type != "critical-security" || !strings.Contains(f.Text, "missing: [B1 critical-security] without credentials") ||
		!strings.Contains(f.Message, "auth bypass") {
		t.Fatalf("failure %+v", f)
	}
	if c := api.Cases[1]; c.Name != "api bare" || c.Failure != nil || !strings.Contains(c.SystemOut, "failed below -fail-on critical-security, not blocking") {
		t.Fatalf("bare %+v", c)
	}
	if c := api.Cases[2]; !strings.Contains(c.SystemOut, "waived: missing: [C1.challenge conformance]") {
		t.Fatalf("waived %+v", c)
	}
	if sec, err := strconv.ParseFloat(web.Cases[0].Time, 64); err != nil || sec <= 0 || sec > 10 {
		t.Fatalf("time %q in seconds: %v", web.Cases[0].Time, err)
	}
}

// ghLine is a workflow command as GitHub's docs define it, after escaping:
// no raw line break anywhere, no ':' or ',' in a property value.
var ghLine = regexp.MustCompile(`^::(error|warning|notice) title=[^:,\r\n]*::[^\r\n]*$|^authmon check [^\r\n]*$|^\d+ checks: [^\r\n]*$`)

// TestCheckFormatGitHub: one annotation per failing check at the level the
// gate gives it, escaped per the Actions toolkit.
func TestCheckFormatGitHub(t *testing.T) {
	cfg := gateConfig(t, gateTarget(t).URL)
	code, out, _ := runCLI("check", "-config", cfg, "-format", "github", "-fail-on", "critical-security")
	if code != exitFailed {
		t.Fatalf("exit %d\n%s", code, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for _, l := range lines {
		if !ghLine.MatchString(l) {
			t.Errorf("not a workflow command or log line: %q", l)
		}
	}
	for _, want := range []string{
		"authmon check api: ok, v1: passed (",
		"::warning title=authmon check api bare%3A conformance (below -fail-on critical-security)::missing: [C1.challenge conformance] without credentials: got 401 without a WWW-Authenticate challenge (RFC 9110 §15.5.2, §11.6.1)%0Amalformed: ",
		"::notice title=authmon check api waived%3A waived::missing: [C1.challenge conformance]",
		"::error title=authmon check web open%3A critical-security::missing: [B1 critical-security] without credentials",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

// TestGitHubEscaping follows escapeData and escapeProperty of the Actions
// toolkit: text from a target cannot end the command line.
func TestGitHubEscaping(t *testing.T) {
	for _, tc := range []struct{ in, data, prop string }{
		{"100% ok", "100%25 ok", "100%25 ok"},
		{"a\r\n::error::pwned", "a%0D%0A::error::pwned", "a%0D%0A%3A%3Aerror%3A%3Apwned"},
		{"api: v1, prod", "api: v1, prod", "api%3A v1%2C prod"},
		{"%0A", "%250A", "%250A"},
	} {
		if got := ghData(tc.in); got != tc.data {
			t.Errorf("ghData(%q) = %q, want %q", tc.in, got, tc.data)
		}
		if got := ghProperty(tc.in); got != tc.prop {
			t.Errorf("ghProperty(%q) = %q, want %q", tc.in, got, tc.prop)
		}
	}
	var b strings.Builder
	ghCommand(&b, "error", "t: x", []string{"line1\n::warning::x", "line2"})
	if got := b.String(); got != "::error title=t%3A x::line1%0A::warning::x%0Aline2\n" {
		t.Fatalf("command %q", got)
	}
}

// TestJUnitHostileText: a reason quoting a target's bytes (control
// characters, "]]>", markup) still gives well-formed XML.
func TestJUnitHostileText(t *testing.T) {
	reason := "got \x01\x1b[31m</failure><x>]]>&\"'"
	cr := checkRun{FailOn: checks.SevNone, Red: redact.New(),
		Checks: []checks.Check{{Name: `<b>&"x"`, Group: "g]]>"}},
		Results: []checks.Result{{Check: `<b>&"x"`, Probes: []checks.ProbeResult{{Kind: checks.ProbeMissing,
			Assertions: []checks.Assertion{{ID: "B1", Severity: checks.SevCritical, Reason: reason}}}}}}}
	var b strings.Builder
	if err := printJUnit(&b, cr); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	c := doc.Suites[0].Cases[0]
	if c.Name != `<b>&"x"` || doc.Suites[0].Name != "g]]>" || !strings.Contains(c.Failure.Text, "</failure><x>]]>&\"'") {
		t.Fatalf("%+v", c)
	}
}
