package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/redact"
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

// parseFlags parses args into fs. When it returns false the command stops
// with code: exitOK after -h or -help (fs printed its usage), exitConfig for
// a bad flag (fs printed the problem and the usage).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return exitOK, false
	case err != nil:
		return exitConfig, false
	}
	return exitOK, true
}

// logFlags adds -log-format and -log-level to fs. Their defaults come from
// AUTHMON_LOG_FORMAT and AUTHMON_LOG_LEVEL, else text and info; a bad
// environment value is reported by logger unless the flag overrides it.
func logFlags(fs *flag.FlagSet) *logFlagValues {
	v := &logFlagValues{opts: logOptions{level: slog.LevelInfo}}
	if env := os.Getenv("AUTHMON_LOG_FORMAT"); env != "" {
		v.formatErr = envError("AUTHMON_LOG_FORMAT", v.opts.setFormat(env))
	}
	if env := os.Getenv("AUTHMON_LOG_LEVEL"); env != "" {
		v.levelErr = envError("AUTHMON_LOG_LEVEL", v.opts.setLevel(env))
	}
	fs.Func("log-format", "`format` of the log: text or json (env AUTHMON_LOG_FORMAT, default text)", func(s string) error {
		v.formatErr = nil
		return v.opts.setFormat(s)
	})
	fs.Func("log-level", "least `level` logged: debug, info, warn or error (env AUTHMON_LOG_LEVEL, default info)",
		func(s string) error {
			v.levelErr = nil
			return v.opts.setLevel(s)
		})
	return v
}

// logFlagValues are the log flags once parsed.
type logFlagValues struct {
	opts                logOptions
	formatErr, levelErr error // from the environment
}

// logger returns the logger the flags ask for, or why they are wrong.
func (v *logFlagValues) logger(w io.Writer, red *redact.Redactor) (*slog.Logger, error) {
	if err := errors.Join(v.formatErr, v.levelErr); err != nil {
		return nil, err
	}
	return v.opts.logger(w, red), nil
}

func envError(name string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// dbFlag adds -db: a SQLite file or a postgres:// URL. resolveDB picks the
// database from it, AUTHMON_DB, [storage] url and the default, in that order.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "SQLite `file` or postgres:// URL (env AUTHMON_DB, else [storage] url, else monitor.db)")
}

// resolveDB returns the database setting: -db, else AUTHMON_DB, else the
// config's [storage] url (cfg may be nil), else monitor.db.
func resolveDB(flagValue string, cfg *config.Config) string {
	switch {
	case flagValue != "":
		return flagValue
	case os.Getenv("AUTHMON_DB") != "":
		return os.Getenv("AUTHMON_DB")
	case cfg != nil && cfg.StorageURL != "":
		return cfg.StorageURL
	}
	return "monitor.db"
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
	if code, ok := parseFlags(fs, args); !ok {
		return code
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
	for _, w := range insecureWarnings(cfg) {
		fmt.Fprintln(stdout, w)
	}
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

// insecureWarnings are one line per check that turned certificate
// verification off: said at every load, so that it is never forgotten.
func insecureWarnings(cfg *config.Config) []string {
	var out []string
	for i, ch := range cfg.Checks {
		if ch.Conn.InsecureSkipVerify {
			out = append(out, fmt.Sprintf("%s: warning: check[%d] %q: %s", cfg.Path, i, ch.Name, insecureText))
		}
	}
	return out
}

// insecureText says what insecure_skip_verify costs.
const insecureText = "insecure_skip_verify = true: the target's TLS certificate is not verified, " +
	"so anyone on the path can impersonate it and read the credentials the check sends; " +
	"name its CA in [check.tls] ca_file instead"

// isHelp reports whether arg asks for help, as the flag package reads it.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// warnInsecure logs, at WARN, each check that turned certificate
// verification off, at every load.
func warnInsecure(log *slog.Logger, cfg *config.Config) {
	for _, ch := range cfg.Checks {
		if ch.Conn.InsecureSkipVerify {
			log.Warn(insecureText, "check", ch.Name)
		}
	}
}
