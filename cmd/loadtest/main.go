// Command loadtest measures the monitor under load. It starts a loopback
// Basic-auth target in a separate process, runs N generated checks through
// the real scheduler, checks.Run, alert.Decide and the SQLite store for a
// fixed time, and reports runs executed against expected, start lateness, CPU
// per 1,000 HTTP requests, peak RSS and database bytes per run.
//
//	go run ./cmd/loadtest -checks 1000 -interval 1s -duration 60s
//
// With -instances N and -db postgres://… it measures a fleet instead: N real
// `monitor serve` processes (-monitor, built with go build -o /tmp/monitor
// ./cmd/monitor) spread over -locations L on one empty PostgreSQL database,
// and reads what they recorded from it (see fleet.go).
//
//	go run ./cmd/loadtest -instances 3 -locations 2 -monitor /tmp/monitor \
//		-db postgres://postgres@127.0.0.1:55432/load -checks 1000 -duration 50s
//
// It only talks to 127.0.0.0/8, stops by itself, removes its files and exits
// 1 when more than 1% of the runs were missed (or failed), or, in a fleet,
// on any duplicate run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/authmon/monitor/internal/scheduler"
)

func main() {
	// The hidden target mode: "loadtest -serve-target ADDR,ADDR… LIFETIME".
	if len(os.Args) == 4 && os.Args[1] == serveTargetFlag {
		lifetime, err := time.ParseDuration(os.Args[3])
		if err == nil {
			err = serveTarget(os.Args[2], lifetime)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest target:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command's flags.
type options struct {
	checks     int
	probes     int
	interval   time.Duration
	duration   time.Duration
	hosts      int
	limits     limits
	json       bool
	cpuProfile string
	memProfile string
	timeout    time.Duration

	// A fleet: instances > 0.
	db        string
	instances int
	locations int
	monitor   string
	kill      bool

	serve string // the monitor binary a serve load test runs
}

// fleet reports whether the options ask for a fleet load test.
func (o options) fleet() bool { return o.instances > 0 }

// Bounds keep a mistyped flag from running for hours or exhausting ports.
const (
	maxChecks   = 100_000
	maxDuration = time.Hour
	maxHosts    = 254
	maxFleet    = 16
)

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: loadtest [flags]\n\nRuns generated checks through the real scheduler and store against a\n"+
			"loopback target for a fixed time and reports runs, lateness, CPU, memory and\ndatabase size.\n\n")
		fs.PrintDefaults()
	}
	fs.IntVar(&o.checks, "checks", 1000, "number of generated checks")
	fs.IntVar(&o.probes, "probes", maxProbes, "requests each check makes: 1 valid credentials, 2 and missing ones, 3 and wrong ones")
	fs.DurationVar(&o.interval, "interval", time.Second, "each check's interval (@every), whole seconds")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long to run, warm-up included")
	fs.IntVar(&o.hosts, "hosts", 8, "loopback addresses the target listens on (127.0.0.1…)")
	fs.IntVar(&o.limits.global, "max-concurrency", scheduler.DefaultMaxConcurrency, "checks running at once ([monitor] max_concurrency)")
	fs.IntVar(&o.limits.perHost, "max-per-host", scheduler.DefaultMaxPerHost, "checks running at once against one host:port ([monitor] max_per_host)")
	fs.BoolVar(&o.json, "json", false, "print a one-line JSON summary on stdout (the table goes to stderr)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile at the end of the window to this file")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "each check's timeout (a fleet's lease is 3 × timeout + 2 s)")
	fs.IntVar(&o.instances, "instances", 0, "run a fleet of this many `monitor serve` processes on -db (0: one in-process monitor on SQLite)")
	fs.IntVar(&o.locations, "locations", 1, "spread the fleet's instances over this many locations, loc-1…")
	fs.StringVar(&o.db, "db", "", "the fleet's PostgreSQL database, postgres://… on loopback; it must be empty")
	fs.StringVar(&o.monitor, "monitor", "", "the monitor binary the fleet runs (go build -o /tmp/monitor ./cmd/monitor)")
	fs.StringVar(&o.serve, "serve", "", "measure one real `monitor serve` of this binary on SQLite (go build -o /tmp/monitor ./cmd/monitor) instead of the in-process monitor")
	fs.BoolVar(&o.kill, "kill", false, "kill -9 one fleet instance halfway through the window and measure the failover")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage // the flag package has said what is wrong
	}
	if err := o.validate(); err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return o, errUsage
	}
	return o, nil
}

// errUsage is a bad command line, already reported.
var errUsage = errors.New("usage")

func (o options) validate() error {
	switch {
	case o.checks < 1 || o.checks > maxChecks:
		return fmt.Errorf("-checks must be 1…%d", maxChecks)
	case o.probes < 1 || o.probes > maxProbes:
		return fmt.Errorf("-probes must be 1…%d", maxProbes)
	case o.interval < time.Second || o.interval%time.Second != 0:
		return errors.New("-interval must be whole seconds, at least 1s (cron's resolution)")
	case o.duration > maxDuration:
		return fmt.Errorf("-duration must be at most %v", maxDuration)
	case o.hosts < 1 || o.hosts > maxHosts:
		return fmt.Errorf("-hosts must be 1…%d", maxHosts)
	case o.limits.global < 1 || o.limits.perHost < 1:
		return errors.New("-max-concurrency and -max-per-host must be at least 1")
	case o.timeout <= 0:
		return errors.New("-timeout must be positive")
	case o.fleet():
		return o.validateFleet()
	case o.serve != "" && (o.cpuProfile != "" || o.memProfile != ""):
		return errors.New("-cpuprofile and -memprofile profile the in-process monitor, not -serve's process")
	case o.db != "" || o.kill || o.monitor != "" || o.locations != 1:
		return errors.New("-db, -monitor, -locations and -kill are for a fleet: give -instances too")
	case o.duration < minDuration(o.interval):
		return fmt.Errorf("-duration %v leaves no whole interval after the warm-up: use at least %v",
			o.duration, minDuration(o.interval))
	}
	return nil
}

// validateFleet checks a fleet's options.
func (o options) validateFleet() error {
	switch {
	case o.instances > maxFleet:
		return fmt.Errorf("-instances must be 1…%d", maxFleet)
	case o.locations < 1 || o.locations > o.instances:
		return errors.New("-locations must be 1…-instances: every location needs an instance")
	case !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://"):
		return errors.New("a fleet needs -db postgres://… (an empty database)")
	case o.monitor == "":
		return errors.New("a fleet needs -monitor, the monitor binary (go build -o /tmp/monitor ./cmd/monitor)")
	case o.kill && victim(o.instances, o.locations) < 0:
		return errors.New("-kill needs a location with two instances to take over: -instances more than -locations")
	case o.cpuProfile != "" || o.memProfile != "":
		return errors.New("-cpuprofile and -memprofile profile the in-process monitor: a fleet's monitors are other processes")
	case o.duration < minFleetDuration(o.interval):
		return fmt.Errorf("-duration %v leaves less than two intervals after a fleet's warm-up: use at least %v",
			o.duration, minFleetDuration(o.interval))
	}
	return requireLoopbackDB(o.db)
}

// minDuration is the shortest run whose window (see planWindow) holds one
// interval.
func minDuration(interval time.Duration) time.Duration {
	return max(interval, 2*time.Second) + interval + drainTime(interval)
}

// run is main without the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	if o.memProfile != "" {
		// The default samples one allocation per 512 KiB: too coarse to
		// see what holds a heap of a few MiB.
		runtime.MemProfileRate = 4096
	}
	if platformErr != nil {
		fmt.Fprintln(stderr, "loadtest:", platformErr)
		return 1
	}
	switch {
	case o.fleet():
		fmt.Fprintf(stderr, "loadtest: %d instances in %d locations, %d checks every %v for %v…\n",
			o.instances, o.locations, o.checks, o.interval, o.duration)
		rep, err := fleetTest(ctx, o, stderr)
		return finish(o, rep, err, stdout, stderr)
	case o.serve != "":
		fmt.Fprintf(stderr, "loadtest: monitor serve, %d checks every %v for %v…\n", o.checks, o.interval, o.duration)
		rep, err := serveTest(ctx, o, stderr)
		return finish(o, rep, err, stdout, stderr)
	}
	fmt.Fprintf(stderr, "loadtest: %d checks every %v for %v…\n", o.checks, o.interval, o.duration)
	rep, err := loadTest(ctx, o, stderr)
	return finish(o, rep, err, stdout, stderr)
}

// outcome is what every kind of load test reports.
type outcome interface {
	writeTable(io.Writer)
	failure() string
}

// finish prints a load test's report (the table, or with -json the table on
// stderr and one JSON line on stdout) and returns the exit code: 1 on an
// error or a failed target.
func finish[R outcome](o options, rep R, err error, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	if o.json {
		rep.writeTable(stderr)
		_ = json.NewEncoder(stdout).Encode(rep)
	} else {
		rep.writeTable(stdout)
	}
	if why := rep.failure(); why != "" {
		fmt.Fprintln(stderr, "loadtest: FAIL:", why)
		return 1
	}
	return 0
}

// hostInfo fills in the machine the figures come from.
func (r *report) hostInfo() {
	r.GoVersion, r.CPUs, r.LoadAvg = runtime.Version(), runtime.NumCPU(), loadAvg()
}
