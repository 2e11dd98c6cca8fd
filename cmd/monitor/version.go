package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is stamped by a release build:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/monitor
//
// Left empty, the module version (go install …@v1.2.3) is used, else "dev".
var version = ""

// versionString is the version the monitor reports on the dashboard, in
// authmon_build_info and in `monitor version`.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

func versionOf(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionCmd prints the version, then the module, commit and toolchain it
// was built from, so a bug report can name the exact build.
func versionCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", stderr)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(version, bi))
	return exitOK
}

// versionText is what `monitor version` prints; its first line is
// "monitor VERSION", for scripts.
func versionText(stamped string, bi *debug.BuildInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "monitor %s\n", versionOf(stamped, bi))
	if bi == nil {
		fmt.Fprintf(&b, "  go      %s %s/%s (no build information)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return b.String()
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	fmt.Fprintf(&b, "  module  %s %s\n", bi.Main.Path, bi.Main.Version)
	fmt.Fprintf(&b, "  commit  %s\n", commitLine(set))
	fmt.Fprintf(&b, "  go      %s %s/%s CGO_ENABLED=%s\n", bi.GoVersion, set["GOOS"], set["GOARCH"], orDash(set["CGO_ENABLED"]))
	return b.String()
}

// commitLine describes the VCS revision the binary was built from. A build
// from a module zip (go install …@version) or with -buildvcs=false has none.
func commitLine(set map[string]string) string {
	rev := set["vcs.revision"]
	if rev == "" {
		return "unknown (built without version control information)"
	}
	line := rev
	if t := set["vcs.time"]; t != "" {
		line += " " + t
	}
	if set["vcs.modified"] == "true" {
		line += " (modified: uncommitted changes)"
	}
	return line
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
