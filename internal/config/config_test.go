package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

func noEnv(string) (string, bool) { return "", false }

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "checks.example.toml"))
	if err != nil {
		t.Fatalf("checks.example.toml: %v", err)
	}
	if len(cfg.Checks) < 3 || cfg.Demo == nil {
		t.Fatalf("example has %d checks, demo %v", len(cfg.Checks), cfg.Demo)
	}
	for _, ch := range cfg.Checks {
		if len(ch.Probes) == 0 || ch.Timeout != time.Second || ch.MaxBody != DefaultMaxBody {
			t.Errorf("%s: probes %v timeout %s max body %d", ch.Name, ch.Probes, ch.Timeout, ch.MaxBody)
		}
	}
	kinds := map[checks.CheckKind]bool{}
	for _, ch := range cfg.Checks {
		kinds[ch.Kind] = true
	}
	if !kinds[checks.KindProtected] {
		t.Errorf("the example has no protected check: %v", kinds)
	}
}

// TestBadConfigs loads every testdata/bad-*.toml. Each file lists the
// problems it must produce, one "# want: file:line: key: message" comment
// each; all of them, and no others, must be reported in one load.
func TestBadConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad-*.toml")
	if len(files) < 10 {
		t.Fatalf("found only %d bad configs", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wants := wantLines(string(data))
			_, err = Parse(filepath.Base(path), data, noEnv)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			for _, w := range wants {
				if !slices.ContainsFunc(ps, func(p Problem) bool { return strings.HasPrefix(p.String(), w) }) {
					t.Errorf("missing problem %q", w)
				}
			}
			if len(ps) != len(wants) {
				t.Errorf("got %d problems, want %d:\n%s", len(ps), len(wants), ps.Error())
			}
		})
	}
}

func wantLines(doc string) []string {
	var out []string
	for _, l := range strings.Split(doc, "\n") {
		if w, ok := strings.CutPrefix(l, "# want: "); ok {
			out = append(out, w)
		}
	}
	return out
}

// oneCheck is appended to documents about other sections: a file without
// checks is refused.
const oneCheck = "\n[[check]]\nname = \"one\"\nurl = \"https://one.example.com/\"\n"

const minimal = `
[[check]]
name = "api"
url = "https://api.example.com/me"
headers = { "X-Tenant" = "${TENANT}" }
[check.auth]
type = "bearer"
token = "${API_TOKEN}"
[check.valid]
status = [200, 204]
`

func TestEnvReferencesAndDefaults(t *testing.T) {
	env := map[string]string{"API_TOKEN": "tok-CANARY", "TENANT": "acme"}
	cfg, err := Parse("c.toml", []byte(minimal), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	ch := cfg.Checks[0]
	if ch.Auth.Token != "tok-CANARY" || ch.Headers["X-Tenant"] != "acme" {
		t.Fatalf("not expanded: %+v", ch)
	}
	if ch.Schedule != DefaultSchedule || ch.Timeout != DefaultTimeout || ch.Method != "GET" {
		t.Fatalf("defaults not applied: %+v", ch)
	}
	want := []checks.ProbeSpec{
		{Kind: checks.ProbeValid, Status: []int{200, 204}},
		{Kind: checks.ProbeMissing, Scheme: "Bearer"},
		{Kind: checks.ProbeMalformed, Scheme: "Bearer"},
		{Kind: checks.ProbeWrong, Scheme: "Bearer"},
		{Kind: checks.ProbeForged, Scheme: "Bearer"},
	}
	if len(ch.Probes) != len(want) {
		t.Fatalf("probes = %+v, want %d", ch.Probes, len(want))
	}
	for i, p := range ch.Probes {
		if p.Kind != want[i].Kind || p.Scheme != want[i].Scheme || !slices.Equal(p.Status, want[i].Status) {
			t.Errorf("probe %d = %+v, want %+v", i, p, want[i])
		}
	}
	if !slices.Contains(cfg.Secrets, "tok-CANARY") || !slices.Contains(ch.Secrets, "tok-CANARY") {
		t.Errorf("token not listed as a secret: %v", cfg.Secrets)
	}
}

func TestExpand(t *testing.T) {
	env := func(k string) (string, bool) {
		return map[string]string{"A": "1", "B_2": "two"}[k], k == "A" || k == "B_2"
	}
	cases := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}", "1", ""},
		{"x${A}y${B_2}z", "x1ytwoz", ""},
		{"$${A}", "${A}", ""},
		{"${C}", "", "environment variable C is not set"},
		{"${A", "", "malformed"},
		{"${1A}", "", "malformed"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := expand(c.in, env)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

// TestProblemsNeverQuoteSecrets: an error about a secret field names the
// key, never the value.
func TestProblemsNeverQuoteSecrets(t *testing.T) {
	doc := `
[[check]]
name = "api"
url = "https://api.example.com/me"
[check.auth]
type = "basic"
username = "CANARY:user"
password = "pa${ss-CANARY"
[credentials.jar]
type = "cookie"
name = "sid"
value = "bad;value-CANARY"
[credentials.login]
type = "login"
url = "https://app.example.com/login"
username = "u"
password = "pw${x-CANARY"
[credentials.idp]
type = "oauth2"
token_url = "https://idp.example.com/token"
client_id = "c"
client_secret = "${ secret-CANARY"
auth_style = "nope"
`
	_, err := Parse("c.toml", []byte(doc), noEnv)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) < 6 {
		t.Fatalf("want problems with each secret, got %v", err)
	}
	if strings.Contains(err.Error(), "-CANARY") {
		t.Fatalf("problem text quotes a secret: %v", err)
	}
}

func TestPolicies(t *testing.T) {
	doc := `
[monitor]
public_url = "https://mon.example.com/"
[alerts]
failure_threshold = 3
reminder = "4h"
[[silence]]
checks = ["b"]
schedule = "0 2 * * SUN"
duration = "2h"
[slack]
token = "xoxb-1"
channel = "#auth"
mention = "@here"
[slack.channels]
critical-security = "#security"
[[check]]
name = "a"
url = "https://example.com/a"
[[check]]
name = "b"
url = "https://example.com/b"
success_threshold = 1
reminder = "30m"
slack_channel = "#team-b"
`
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Policies["a"], cfg.Policies["b"]
	if a.FailureThreshold != 3 || a.SuccessThreshold != 2 || a.Reminder != 4*time.Hour || len(a.Silences) != 0 {
		t.Errorf("a = %+v", a)
	}
	if a.Mention != "<!here>" || a.SeverityChannels[checks.SevCritical] != "#security" || a.DashboardURL != "https://mon.example.com/checks/a" {
		t.Errorf("a routing = %+v", a)
	}
	if b.FailureThreshold != 3 || b.SuccessThreshold != 1 || b.Reminder != 30*time.Minute || b.Channel != "#team-b" || len(b.Silences) != 1 {
		t.Errorf("b = %+v", b)
	}
	sunday2am := time.Date(2026, 11, 29, 2, 30, 0, 0, time.UTC)
	if !b.Silences[0].Active(sunday2am) || b.Silences[0].Active(sunday2am.Add(2*time.Hour)) {
		t.Errorf("silence not active on Sunday 02:30 only")
	}
}

func TestLimitsAndRetention(t *testing.T) {
	const day = 24 * time.Hour
	cases := []struct {
		name, doc          string
		global, perHost    int
		raw, hourly, daily time.Duration
		noFold             bool
		problem            string
	}{
		{name: "defaults", global: 256, perHost: 8, raw: 30 * day, hourly: 365 * day},
		{name: "set", doc: "[monitor]\nmax_concurrency = 32\nmax_per_host = 2\n[storage]\nraw_days = 7\nhourly_days = 90\ndaily_days = 730\nfold_repeats = false\n",
			global: 32, perHost: 2, raw: 7 * day, hourly: 90 * day, daily: 730 * day, noFold: true},
		{name: "fold not a boolean", doc: "[storage]\nfold_repeats = \"no\"\n", problem: `c.toml:2: storage.fold_repeats: expected true or false, got string "no"`},
		{name: "all forever", doc: "[storage]\nraw_days = 0\nhourly_days = 0\n", global: 256, perHost: 8},
		{name: "raw forever, hourly by default", doc: "[storage]\nraw_days = 0\n",
			problem: "c.toml:2: storage.raw_days: storage.raw_days (forever) must not be longer than storage.hourly_days (365 days, the default)"},
		{name: "daily shorter than the default hourly", doc: "[storage]\ndaily_days = 200\n",
			problem: "c.toml:2: storage.daily_days: storage.hourly_days (365 days, the default) must not be longer than storage.daily_days (200 days)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("c.toml", []byte(tc.doc+oneCheck), noEnv)
			if tc.problem != "" {
				if err == nil || err.Error() != tc.problem {
					t.Fatalf("err = %v, want %s", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := cfg.Retention
			if cfg.MaxConcurrency != tc.global || cfg.MaxPerHost != tc.perHost || r.Raw != tc.raw || r.Hourly != tc.hourly || r.Daily != tc.daily ||
				cfg.FoldRepeats == tc.noFold {
				t.Fatalf("limits %d/%d, retention %+v", cfg.MaxConcurrency, cfg.MaxPerHost, r)
			}
		})
	}
}

// TestReparseIsDeepEqual backs the reload: a check whose text did not change
// must compare equal, silences' cron schedules included, so it keeps its
// cron entry; a changed threshold must not.
func TestReparseIsDeepEqual(t *testing.T) {
	doc := `
[[check]]
name = "api"
url = "https://api.example.com/me"
[[silence]]
schedule = "0 2 * * SUN"
duration = "2h"
[[silence]]
schedule = "CRON_TZ=Europe/Berlin 30 3 * * *"
duration = "1h"
`
	a, errA := Parse("c.toml", []byte(doc), noEnv)
	b, errB := Parse("c.toml", []byte(doc), noEnv)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if len(a.Policies["api"].Silences) != 2 {
		t.Fatalf("silences = %+v", a.Policies["api"].Silences)
	}
	if !reflect.DeepEqual(a.Checks, b.Checks) || !reflect.DeepEqual(a.Policies, b.Policies) {
		t.Fatal("the same document parsed twice is not deeply equal")
	}
	c, err := Parse("c.toml", []byte(strings.Replace(doc, `duration = "2h"`, `duration = "3h"`, 1)), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Policies, c.Policies) {
		t.Fatal("a changed silence compares equal")
	}
}

// TestStorageURL: [storage] url takes a PostgreSQL URL, whose password is
// a secret for the redactor; anything else is a problem that does not quote
// the value.
func TestStorageURL(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("[storage]\nurl = \"postgres://authmon:s3cr%21t@db:5432/authmon\"\n"+oneCheck), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StorageURL != "postgres://authmon:s3cr%21t@db:5432/authmon" || !slices.Contains(cfg.Secrets, "s3cr!t") {
		t.Fatalf("url %q, secrets %q", cfg.StorageURL, cfg.Secrets)
	}
	_, err = Parse("c.toml", []byte("[storage]\nurl = \"mysql://root:hunter2@db/x\"\n"+oneCheck), noEnv)
	if err == nil || !strings.Contains(err.Error(), "storage.url must be a postgres://") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v", err)
	}
}
