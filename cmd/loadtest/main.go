// Command loadtest measures the monitor under load. It starts a loopback
// Basic-auth target in a separate process, runs N generated checks through
// the real scheduler, checks.Run, alert.Decide and the SQLite store for a
// fixed time, and reports runs executed against expected, start lateness, CPU
// per 1,000 HTTP requests, peak RSS and database bytes per run.
//
//	go run ./cmd/loadtest -checks 1000 -interval 1s -duration 60s
//
// It only talks to 127.0.0.0/8, stops by itself, removes its files and exits
// 1 when more than 1% of the runs were missed (or failed).
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
	interval   time.Duration
	duration   time.Duration
	hosts      int
	limits     limits
	json       bool
	cpuProfile string
	memProfile string
}

// Bounds keep a mistyped flag from running for hours or exhausting ports.
const (
	maxChecks   = 100_000
	maxDuration = time.Hour
	maxHosts    = 254
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
	fs.DurationVar(&o.interval, "interval", time.Second, "each check's interval (@every), whole seconds")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long to run, warm-up included")
	fs.IntVar(&o.hosts, "hosts", 8, "loopback addresses the target listens on (127.0.0.1…)")
	fs.IntVar(&o.limits.global, "max-concurrency", scheduler.DefaultMaxConcurrency, "checks running at once ([monitor] max_concurrency)")
	fs.IntVar(&o.limits.perHost, "max-per-host", scheduler.DefaultMaxPerHost, "checks running at once against one host:port ([monitor] max_per_host)")
	fs.BoolVar(&o.json, "json", false, "print a one-line JSON summary on stdout (the table goes to stderr)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile at the end of the window to this file")
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
	case o.interval < time.Second || o.interval%time.Second != 0:
		return errors.New("-interval must be whole seconds, at least 1s (cron's resolution)")
	case o.duration > maxDuration:
		return fmt.Errorf("-duration must be at most %v", maxDuration)
	case o.hosts < 1 || o.hosts > maxHosts:
		return fmt.Errorf("-hosts must be 1…%d", maxHosts)
	case o.limits.global < 1 || o.limits.perHost < 1:
		return errors.New("-max-concurrency and -max-per-host must be at least 1")
	case o.duration < minDuration(o.interval):
		return fmt.Errorf("-duration %v leaves no whole interval after the warm-up: use at least %v",
			o.duration, minDuration(o.interval))
	}
	return nil
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
	fmt.Fprintf(stderr, "loadtest: %d checks every %v for %v…\n", o.checks, o.interval, o.duration)
	rep, err := loadTest(ctx, o, stderr)
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
