package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// commandsInUsage lists the commands the usage text names ("alert test"
// included), so that a new command is covered by the tests below as soon as
// it is documented.
func commandsInUsage(t *testing.T) [][]string {
	t.Helper()
	section := usage[strings.Index(usage, "Commands:"):]
	var out [][]string
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z][a-z-]*(?: [a-z]+)?)  `).FindAllStringSubmatch(section, -1) {
		out = append(out, strings.Fields(m[1]))
	}
	if len(out) < 9 {
		t.Fatalf("found only %v in the usage", out)
	}
	return out
}

// TestEveryCommandHelpExitsZero: -h, -help and --help print the command's
// flags and exit 0, as help asked for should; a bad flag still exits 2.
func TestEveryCommandHelpExitsZero(t *testing.T) {
	for _, cmd := range commandsInUsage(t) {
		for _, h := range []string{"-h", "-help", "--help"} {
			args := append(append([]string(nil), cmd...), h)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, errOut := runCLI(args...)
				if code != exitOK {
					t.Errorf("exit %d\n%s%s", code, out, errOut)
				}
				if cmd[0] != "version" && !strings.Contains(out+errOut, "usage") && !strings.Contains(out+errOut, "Usage") {
					t.Errorf("no usage printed:\n%s%s", out, errOut)
				}
			})
		}
		if cmd[0] == "version" {
			continue
		}
		args := append(append([]string(nil), cmd...), "-no-such-flag")
		if code, _, _ := runCLI(args...); code != exitConfig {
			t.Errorf("%v: exit %d for a bad flag, want %d", args, code, exitConfig)
		}
	}
}

func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/authmon/monitor", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"},
			{Key: "CGO_ENABLED", Value: "0"}, {Key: "vcs.revision", Value: "0123abcd"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		name, stamped string
		bi            *debug.BuildInfo
		want          []string
	}{
		{"stamped wins", "v2.0.0-rc1", bi, []string{"monitor v2.0.0-rc1\n", "module  github.com/authmon/monitor v1.4.0",
			"commit  0123abcd 2026-12-01T10:00:00Z (modified: uncommitted changes)", "go      go1.26.8 linux/amd64 CGO_ENABLED=0"}},
		{"go install @version", "", bi, []string{"monitor v1.4.0\n"}},
		{"devel", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			[]string{"monitor dev\n", "commit  unknown (built without version control information)"}},
		{"no build info", "", nil, []string{"monitor dev\n", "(no build information)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := versionText(tt.stamped, tt.bi)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
		})
	}
	if code, out, _ := runCLI("version"); code != exitOK || !strings.Contains(out, "\n  go      go1.") {
		t.Errorf("monitor version: exit %d\n%s", code, out)
	}
}

// TestHealthcheck: exit 0 for a serve that answers /healthz, 1 for one that
// does not, and the URL follows AUTHMON_LISTEN.
func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	defer ok.Close()
	if code, out, errOut := runCLI("healthcheck", "-url", ok.URL+"/healthz"); code != exitOK {
		t.Errorf("healthy: exit %d %s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI("healthcheck", "-url", ok.URL+"/nope"); code != exitFailed || !strings.Contains(errOut, "404") {
		t.Errorf("404: exit %d %s", code, errOut)
	}
	t.Setenv("AUTHMON_LISTEN", strings.TrimPrefix(ok.URL, "http://"))
	if code, _, errOut := run(context.Background(), []string{"healthcheck"}, io.Discard, &strings.Builder{}), "", ""; code != exitOK {
		t.Errorf("AUTHMON_LISTEN: exit %d %s", code, errOut)
	}
	for listen, want := range map[string]string{"0.0.0.0:8080": "http://127.0.0.1:8080/healthz",
		"[::]:9000": "http://127.0.0.1:9000/healthz", ":7000": "http://127.0.0.1:7000/healthz",
		"10.0.0.5:8080": "http://10.0.0.5:8080/healthz", "[::1]:8080": "http://[::1]:8080/healthz"} {
		if got := healthURL(listen); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", listen, got, want)
		}
	}
}
