// Command monitor watches authentication endpoints: it runs the checks of a
// TOML file on their cron schedules, stores every assertion in SQLite, serves
// a dashboard and alerts Slack when auth behaviour regresses.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes, also documented in the README.
const (
	exitOK     = 0
	exitFailed = 1 // a check failed, or the monitor could not run
	exitConfig = 2 // bad config or bad usage
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runIO(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a command line with an empty stdin. It is main without the
// process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runIO(ctx, args, strings.NewReader(""), stdout, stderr)
}

// runIO is run with a stdin, which the hash commands read.
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitConfig
	}
	switch args[0] {
	case "serve":
		return serveCmd(ctx, args[1:], stderr)
	case "check":
		return checkCmd(ctx, args[1:], stdout, stderr)
	case "init":
		return initCmd(ctx, args[1:], stdout, stderr)
	case "validate":
		return validateCmd(args[1:], stdout, stderr)
	case "alert":
		return alertCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		return backupCmd(ctx, args[1:], stdout, stderr)
	case "hash-password":
		return hashPasswordCmd(args[1:], stdin, stdout, stderr)
	case "hash-token":
		return hashTokenCmd(args[1:], stdin, stdout, stderr)
	case "healthcheck":
		return healthcheckCmd(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		return versionCmd(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "monitor: unknown command %q\n\n%s", args[0], usage)
		return exitConfig
	}
}

const usage = `monitor: is your authentication still behaving?

Quick start (serves a sample auth API, checks it, dashboard on loopback):
  go run ./cmd/monitor serve -config checks.example.toml
  open http://127.0.0.1:8080

Commands:
  serve     run every check on its schedule, store results, serve the dashboard,
            alert Slack on regressions
              -config FILE  (env AUTHMON_CONFIG, default checks.toml)
              -db FILE|URL  SQLite file or postgres:// URL (env AUTHMON_DB,
                            else [storage] url, else monitor.db)
              -listen ADDR  (env AUTHMON_LISTEN, else [dashboard] listen,
                            else 127.0.0.1:8080)
            kill -HUP reloads the config file; a bad file is refused and logged.
            Refuses (exit 2) a non-loopback address while [dashboard] has no
            users, tokens or proxy_user_header, unless allow_anonymous = true
  check     run checks once now and print the verdicts; exit 0 all passed,
            1 a failure at or above -fail-on, 2 config or usage error
              check [-config FILE] [-format table|json|junit|github]
                    [-fail-on SEVERITY] [-check GLOB]... [-group NAME]... [NAME...]
  init      probe a URL once and print a commented [[check]] to start from
              init [-name NAME] [-env PREFIX] [-timeout D] URL
  validate  load the config and report every problem; exit 2 if any
              validate [-config FILE]
  alert test  send a test message to every Slack channel the config routes to
              alert test [-config FILE]
  backup    copy the database consistently, even while serve runs
              backup [-db FILE] PATH
  hash-password  read a password on stdin, print its bcrypt hash for
            [dashboard] users:  monitor hash-password <<<"$PW"
  hash-token     print a new API token and the sha256 form for [dashboard]
            tokens; -stdin hashes a token read from stdin instead
  healthcheck  exit 0 when the dashboard answers /healthz (the container's
            HEALTHCHECK): healthcheck [-url URL], default from AUTHMON_LISTEN
  version   print the version and what the binary was built from

serve, check and alert test log as text or JSON from level info:
  -log-format text|json (env AUTHMON_LOG_FORMAT)
  -log-level debug|info|warn|error (env AUTHMON_LOG_LEVEL)
Every command prints its flags with -h.
`
