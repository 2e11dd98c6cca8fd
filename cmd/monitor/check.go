package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/demo"
	"github.com/authmon/monitor/internal/redact"
)

// checkOptions are the flags of `monitor check`.
type checkOptions struct {
	path     *string
	format   *string
	asJSON   *bool
	failOn   *string
	patterns stringList
	groups   stringList
	logs     *logFlagValues
}

func checkFlags(stderr io.Writer) (*flag.FlagSet, *checkOptions) {
	fs := newFlagSet("check", stderr)
	o := &checkOptions{path: configFlag(fs)}
	o.format = fs.String("format", "table", "output: "+strings.Join(formatNames(), ", "))
	o.asJSON = fs.Bool("json", false, "same as -format json")
	o.failOn = fs.String("fail-on", "", "exit 1 only for a failure of this severity or worse: "+strings.Join(failOnNames(), ", ")+" (default: any failure)")
	fs.Var(&o.patterns, "check", "run the checks whose name matches this glob (repeatable)")
	fs.Var(&o.groups, "group", "run the checks of this group (repeatable)")
	o.logs = logFlags(fs)
	return fs, o
}

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, o := checkFlags(stderr)
	names, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitConfig
	}
	write, failOn, err := o.resolve()
	if err != nil {
		fmt.Fprintln(stderr, "monitor check:", err)
		return exitConfig
	}
	cfg, ok := loadConfig(*o.path, stderr)
	if !ok {
		return exitConfig
	}
	for _, w := range insecureWarnings(cfg) {
		fmt.Fprintln(stderr, w)
	}
	selected, err := selectChecks(cfg.Checks, append(o.patterns, names...), o.groups)
	if err != nil {
		fmt.Fprintln(stderr, "monitor check:", err)
		return exitConfig
	}
	red := redact.New(cfg.Secrets...)
	log, err := o.logs.logger(stderr, red)
	if err != nil {
		fmt.Fprintln(stderr, "monitor check:", err)
		return exitConfig
	}
	if cfg.Demo != nil {
		stop := serveDemoIfFree(cfg.Demo, log)
		defer stop()
	}
	run := checkRun{FailOn: failOn, Checks: selected, Results: runChecks(ctx, selected, cfg.MaxPerHost, red), Red: red}
	if err := write(stdout, run); err != nil {
		fmt.Fprintln(stderr, "monitor check:", err)
		return exitFailed
	}
	return run.exitCode()
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments, which it returns: `check "orders api" -format
// junit` reads as it looks. After "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// resolve turns the output and gate flags into a writer and a threshold.
func (o *checkOptions) resolve() (formatter, checks.Severity, error) {
	name := *o.format
	if *o.asJSON {
		if name != "table" && name != "json" {
			return nil, 0, fmt.Errorf("-json and -format %s disagree: use -format alone", name)
		}
		name = "json"
	}
	write, ok := formats[name]
	if !ok {
		return nil, 0, fmt.Errorf("unknown -format %q: want %s", name, strings.Join(formatNames(), ", "))
	}
	sev, err := parseFailOn(*o.failOn)
	return write, sev, err
}

// parseFailOn reads -fail-on; "" and "any" mean any failure (SevNone).
func parseFailOn(s string) (checks.Severity, error) {
	if s == "" || s == "any" {
		return checks.SevNone, nil
	}
	if sev := checks.ParseSeverity(s); sev != checks.SevNone {
		return sev, nil
	}
	return 0, fmt.Errorf("unknown -fail-on %q: want %s", s, strings.Join(failOnNames(), ", "))
}

func failOnNames() []string {
	var out []string
	for s := checks.SevWarn; s <= checks.SevCritical; s++ {
		out = append(out, s.String())
	}
	return out
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

// Set appends one occurrence of the flag.
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// serveDemoIfFree serves the sample API for the duration of the command,
// unless its port is taken (normally by a running `monitor serve`, whose
// sample API, broken or not, is then the one checked).
func serveDemoIfFree(d *config.Demo, log *slog.Logger) (stop func()) {
	ln, err := net.Listen("tcp", d.Listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		log.Info("sample API address in use: checking the one already running", "addr", d.Listen)
		return func() {}
	}
	if err != nil {
		log.Warn("sample API not started", "err", err)
		return func() {}
	}
	api, err := demo.New(demo.Credentials{Username: d.Username, Password: d.Password, Token: d.Token, APIKey: d.APIKey,
		ClientID: d.ClientID, ClientSecret: d.ClientSecret}, d.Mode)
	if err != nil {
		ln.Close()
		log.Warn("sample API not started", "err", err)
		return func() {}
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return func() { srv.Close() }
}

// runChecks runs the checks concurrently and returns results in input order;
// perHost is the number of idle connections kept per target host, red
// removes every secret of the config from what they record.
func runChecks(ctx context.Context, list []checks.Check, perHost int, red *redact.Redactor) []checks.Result {
	// One budget for this command's runs: checks naming one account spend
	// from it together (serve keeps the budget in its store).
	rn := checks.NewRunner(checks.NewClient(perHost), checks.NewMemoryBudget(time.Now), red)
	out := make([]checks.Result, len(list))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, ch := range list {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = rn.Run(ctx, ch)
		})
	}
	wg.Wait()
	return out
}
