package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dockerInstructions reads the Dockerfile's instructions (continuation
// lines joined), each as "INSTRUCTION args".
func dockerInstructions(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

// TestDockerfile: the image is built on a supported Go, statically, with the
// version stamped, and runs as a user that is not root with a healthcheck
// the image can run (it has no shell, wget or curl).
func TestDockerfile(t *testing.T) {
	ins := dockerInstructions(t)
	var froms []int
	for i, in := range ins {
		if strings.HasPrefix(in, "FROM ") {
			froms = append(froms, i)
		}
	}
	if len(froms) != 2 || !strings.HasPrefix(ins[froms[0]], "FROM golang:1.26") {
		t.Fatalf("want a golang:1.26 build stage and a final stage: %v", froms)
	}
	build, final := ins[froms[0]:froms[1]], ins[froms[1]:]
	if !regexp.MustCompile(`FROM (gcr\.io/distroless/static-debian1[2-9]|alpine:3\.(2[2-9]|[3-9]\d))`).MatchString(final[0]) {
		t.Errorf("final stage %q: want distroless static or a supported alpine", final[0])
	}
	buildCmd := ""
	for _, in := range build {
		if strings.HasPrefix(in, "RUN ") && strings.Contains(in, "go build") {
			buildCmd = in
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=${VERSION}", "./cmd/monitor"} {
		if !strings.Contains(buildCmd, want) {
			t.Errorf("the build %q lacks %s", buildCmd, want)
		}
	}
	users := slices.DeleteFunc(slices.Clone(final), func(s string) bool { return !strings.HasPrefix(s, "USER ") })
	if len(users) == 0 || regexp.MustCompile(`^USER (root|0)(:|$)`).MatchString(users[len(users)-1]) {
		t.Errorf("the final stage runs as root: %v", users)
	}
	hc := slices.IndexFunc(final, func(s string) bool { return strings.HasPrefix(s, "HEALTHCHECK ") })
	if hc < 0 || !strings.Contains(final[hc], `CMD ["/usr/local/bin/monitor", "healthcheck"]`) {
		t.Errorf("no HEALTHCHECK running the binary's healthcheck: %v", final)
	}
	if !strings.Contains(usage, "\n  healthcheck ") {
		t.Error("the healthcheck the image runs is not a command")
	}
}

// unitSettings reads a systemd unit's Key=Value lines; a key may repeat.
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(line, "#") {
			out[k] = append(out[k], v)
		}
	}
	return out
}

// TestSystemdUnit: the unit keeps the sandbox the README promises, reloads
// with SIGHUP, and keeps its database in its state directory. CI runs
// systemd-analyze verify and security on it too.
func TestSystemdUnit(t *testing.T) {
	u := unitSettings(t, filepath.Join("..", "..", "deploy", "systemd", "authmon.service"))
	want := map[string]string{"DynamicUser": "yes", "ProtectSystem": "strict", "StateDirectory": "authmon",
		"NoNewPrivileges": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "", "ProtectHome": "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "ExecReload": "/bin/kill -HUP $MAINPID"}
	for k, v := range want {
		if !slices.Contains(u[k], v) {
			t.Errorf("%s=%s: got %q", k, v, u[k])
		}
	}
	if !slices.Contains(u["SystemCallFilter"], "@system-service") {
		t.Errorf("SystemCallFilter=@system-service: got %q", u["SystemCallFilter"])
	}
	start := strings.Fields(strings.Join(u["ExecStart"], ""))
	if len(start) < 2 || start[1] != "serve" || !slices.Contains(start, "/var/lib/authmon/monitor.db") {
		t.Errorf("ExecStart %q: want serve with the database in the state directory", start)
	}
}
