package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/scheduler"
)

// envOr returns the environment variable's value, or def when unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", envOr("AUTHMON_CONFIG", "checks.toml"), "config file (env AUTHMON_CONFIG)")
}

// loadConfig loads the file and prints every problem; ok is false when the
// caller should exit with exitConfig.
func loadConfig(path string, stderr io.Writer) (*config.Config, bool) {
	cfg, err := config.Load(path)
	if err == nil {
		return cfg, true
	}
	var ps config.Problems
	if errors.As(err, &ps) {
		fmt.Fprintf(stderr, "%s: %d problem(s):\n%s\n", path, len(ps), ps.Error())
	} else {
		fmt.Fprintln(stderr, err)
	}
	return nil, false
}

func validateCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", stderr)
	path := configFlag(fs)
	if fs.Parse(args) != nil {
		return exitConfig
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return exitConfig
	}
	alerts := "alerts are logged only (no [slack] section)"
	if cfg.Slack != nil {
		alerts = "alerts go to Slack"
	}
	warnOverruns(stdout, cfg)
	fmt.Fprintf(stdout, "%s: OK: %d checks; %s\n", *path, len(cfg.Checks), alerts)
	return exitOK
}

// warnOverruns warns of each check whose run can outlast its interval: it
// is valid, but a target that hangs makes it skip slots.
func warnOverruns(w io.Writer, cfg *config.Config) {
	for i, ch := range cfg.Checks {
		if o, over := scheduler.CheckOverrun(ch); over {
			fmt.Fprintf(w, "%s: warning: check[%d] %q: %s\n", cfg.Path, i, ch.Name, o)
		}
	}
}
