package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// A fleet load test starts real `monitor serve` processes on one
// PostgreSQL database, spread over locations, all probing the same loopback
// target, and reads what they did from the database afterwards: every
// figure is what the fleet recorded, not what a process said it did.

// fleetInstance is one monitor process of a fleet load test.
type fleetInstance struct {
	name, location string
	cmd            *exec.Cmd
	logPath        string
	log            *os.File
	killed         bool
	exited         chan struct{} // closed once Wait returned
	waitErr        error
}

// instanceName and locationName name the i-th instance (0-based) of a
// fleet of locs locations: load-1, load-2…, spread round-robin over
// loc-1…loc-L, so that loc-1 gets an instance more than the others when
// they do not divide.
func instanceName(i int) string       { return fmt.Sprintf("load-%d", i+1) }
func locationName(i, locs int) string { return fmt.Sprintf("loc-%d", i%locs+1) }
func locationNames(locs int) []string {
	out := make([]string, locs)
	for i := range out {
		out[i] = locationName(i, locs)
	}
	return out
}

// victim is the instance -kill kills: the first one whose location has
// another instance to take over; -1 if none has.
func victim(instances, locs int) int {
	if instances > locs {
		return 0
	}
	return -1
}

// fleetConfig is the config every instance runs: the checks generateChecks
// makes, as TOML, and the scheduler's limits.
func fleetConfig(o options, addrs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by cmd/loadtest: %d checks against its loopback target\n", o.checks)
	fmt.Fprintf(&b, "[monitor]\nmax_concurrency = %d\nmax_per_host = %d\n\n", o.limits.global, o.limits.perHost)
	var kinds []string
	for _, p := range loadProbes(o.probes) {
		kinds = append(kinds, strconv.Quote(string(p.Kind)))
	}
	probes := "[" + strings.Join(kinds, ", ") + "]"
	for _, ch := range generateChecks(o.checks, o.probes, o.interval, o.timeout, addrs) {
		fmt.Fprintf(&b, "[[check]]\nname = %q\nurl = %q\nschedule = %q\ntimeout = %q\nprobes = %s\n",
			ch.Name, ch.URL, ch.Schedule, ch.Timeout.String(), probes)
		fmt.Fprintf(&b, "[check.auth]\ntype = \"basic\"\nusername = %q\npassword = \"${%s}\"\n", targetUser, passwordEnv)
		for _, p := range loadProbes(o.probes)[1:] {
			fmt.Fprintf(&b, "[check.%s]\nscheme = \"Basic\"\nrealm = %q\n", p.Kind, targetRealm)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// passwordEnv carries the target's password to the instances, as a real
// config would.
const passwordEnv = "AUTHMON_LOAD_PASSWORD"

// startInstance starts `monitor serve` as instance i and waits until its
// dashboard listens. Its output goes to a file in dir.
func startInstance(o options, i int, cfgPath, dir string) (*fleetInstance, error) {
	in, _, err := startMonitor(o.monitor, instanceName(i), dir,
		[]string{"serve", "-config", cfgPath, "-db", o.db, "-listen", "127.0.0.1:0", "-location", locationName(i, o.locations)},
		"AUTHMON_INSTANCE="+instanceName(i))
	if in != nil {
		in.location = locationName(i, o.locations)
	}
	return in, err
}

// listenLine is the line serve logs once its dashboard listens.
var listenLine = regexp.MustCompile(`msg="dashboard listening" addr=(http://[0-9.:]+)`)

// startMonitor starts the monitor binary with args (and env, besides the
// target's password) as the process called name, and waits until its
// dashboard listens: it returns the dashboard's address. Its output goes to
// name.log in dir.
func startMonitor(binary, name, dir string, args []string, env ...string) (*fleetInstance, string, error) {
	in := &fleetInstance{name: name, logPath: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	f, err := os.Create(in.logPath)
	if err != nil {
		return nil, "", err
	}
	in.log = f
	in.cmd = exec.Command(binary, args...)
	in.cmd.Env = append(append(os.Environ(), passwordEnv+"="+targetPass), env...)
	in.cmd.Stdout, in.cmd.Stderr = f, f
	in.cmd.SysProcAttr = targetAttr() // dies with the load test
	if err := in.cmd.Start(); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("%s: %w", in.name, err)
	}
	go func() {
		in.waitErr = in.cmd.Wait()
		close(in.exited)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(in.logPath)
		if m := listenLine.FindSubmatch(b); m != nil {
			return in, string(m[1]), nil
		}
		select {
		case <-in.exited:
			return in, "", fmt.Errorf("%s exited before listening: %v\n%s", in.name, in.waitErr, tail(b, 2000))
		case <-time.After(20 * time.Millisecond):
		}
	}
	b, _ := os.ReadFile(in.logPath)
	return in, "", fmt.Errorf("%s did not listen within 2 minutes:\n%s", in.name, tail(b, 2000))
}

// stop ends the instance with SIGTERM, kills it after 30 s, and says how it
// went. A killed instance is only waited for.
func (in *fleetInstance) stop() error {
	defer in.log.Close()
	if !in.killed {
		_ = in.cmd.Process.Signal(syscall.SIGTERM) // this process only, by its pid
	}
	select {
	case <-in.exited:
	case <-time.After(30 * time.Second):
		_ = in.cmd.Process.Kill()
		<-in.exited
		return fmt.Errorf("%s did not stop within 30 s of SIGTERM", in.name)
	}
	if in.waitErr != nil && !in.killed {
		b, _ := os.ReadFile(in.logPath)
		return fmt.Errorf("%s: %v\n%s", in.name, in.waitErr, tail(b, 2000))
	}
	return nil
}

// kill ends the instance with SIGKILL, as a crash would.
func (in *fleetInstance) kill() {
	in.killed = true
	_ = in.cmd.Process.Kill() // this process only, by its pid
}

// alive reports whether the instance still runs.
func (in *fleetInstance) alive() bool {
	select {
	case <-in.exited:
		return false
	default:
		return true
	}
}

// errorLines returns the instance's log lines at error level, at most n.
func (in *fleetInstance) errorLines(n int) []string {
	b, _ := os.ReadFile(in.logPath)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "level=ERROR") || strings.Contains(l, `"level":"ERROR"`) {
			if len(out) < n {
				out = append(out, l)
			}
		}
	}
	return out
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// requireLoopbackDB refuses a database outside this machine: the load
// test only ever talks to 127.0.0.0/8 (or ::1, or a Unix socket).
func requireLoopbackDB(url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	hosts := []string{cfg.Host}
	for _, f := range cfg.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if strings.HasPrefix(h, "/") || h == "localhost" {
			continue
		}
		ip := net.ParseIP(h)
		if ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("-db: host %q is not a loopback address or a socket directory", h)
		}
	}
	return nil
}

// requireEmptyDB refuses a database that holds any table: the figures are
// read from the fleet's tables, and an earlier run's rows would count.
func requireEmptyDB(ctx context.Context, conn *pgx.Conn) error {
	var n int
	err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("-db: the database holds %d tables: give the load test a fresh, empty database "+
			"(DROP DATABASE … ; CREATE DATABASE …)", n)
	}
	return nil
}

// fleetTest runs one fleet load test. Whatever happens, the instances and
// the target are stopped and the files removed.
func fleetTest(ctx context.Context, o options, stderr io.Writer) (rep *fleetReport, err error) {
	if err := requireLoopbackDB(o.db); err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, o.db)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("-db: %w", err)
	}
	defer conn.Close(context.Background())
	if err := requireEmptyDB(ctx, conn); err != nil {
		return nil, err
	}
	tgt, err := startTarget(o.hosts, o.duration+2*time.Minute)
	if err != nil {
		return nil, err
	}
	defer func() {
		cpu := tgt.stop()
		if rep != nil && rep.Requests > 0 {
			rep.TargetCPUMsPerRequest = round3(cpu.Seconds() * 1000 / float64(rep.recordedAll*int64(o.probes)))
		}
	}()
	dir, err := os.MkdirTemp("", "authmon-fleetload-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfgPath := filepath.Join(dir, "fleet.toml")
	if err := os.WriteFile(cfgPath, []byte(fleetConfig(o, tgt.addrs)), 0o600); err != nil {
		return nil, err
	}
	var fleet []*fleetInstance
	defer func() {
		for _, in := range fleet {
			if serr := in.stop(); serr != nil && err == nil {
				err = serr
			}
		}
	}()
	for i := range o.instances {
		in, serr := startInstance(o, i, cfgPath, dir)
		if in != nil {
			fleet = append(fleet, in)
		}
		if serr != nil {
			return nil, serr
		}
	}
	fmt.Fprintf(stderr, "loadtest: %d instances listening in %d locations\n", o.instances, o.locations)
	return runFleet(ctx, o, conn, fleet)
}

// runFleet waits out the window, reading the instances, the database and
// the machine at its edges, kills one instance halfway with -kill, and
// reads the fleet's tables once the drain is over.
func runFleet(ctx context.Context, o options, conn *pgx.Conn, fleet []*fleetInstance) (*fleetReport, error) {
	t0 := time.Now()
	win := planFleetWindow(t0, o.interval, o.duration)
	if !sleepUntil(ctx, win.start) {
		return nil, errInterrupted
	}
	before, err := snapshot(ctx, conn, fleet)
	if err != nil {
		return nil, err
	}
	var killedAt time.Time
	killed := -1
	if o.kill {
		killed = victim(o.instances, o.locations)
		half := win.start.Add(win.end.Sub(win.start) / 2)
		if !sleepUntil(ctx, half) {
			return nil, errInterrupted
		}
		killedAt = time.Now()
		fleet[killed].kill()
	}
	if !sleepUntil(ctx, win.end) {
		return nil, errInterrupted
	}
	after, err := snapshot(ctx, conn, fleet)
	if err != nil {
		return nil, err
	}
	if !sleepUntil(ctx, win.end.Add(fleetDrain(o.interval))) {
		return nil, errInterrupted
	}
	// The instances' own lateness, before SIGTERM: a clean stop removes
	// an instance's row.
	beats, err := readInstances(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, in := range fleet {
		if !in.killed && !in.alive() {
			b, _ := os.ReadFile(in.logPath)
			return nil, fmt.Errorf("%s died during the run:\n%s", in.name, tail(b, 2000))
		}
	}
	facts, err := readFleetFacts(ctx, conn, win, killedAt)
	if err != nil {
		return nil, err
	}
	in := fleetInputs{o: o, win: win, before: before, after: after, beats: beats, facts: facts,
		killed: killed, killedAt: killedAt}
	for _, f := range fleet {
		in.names = append(in.names, f.name)
		in.locs = append(in.locs, f.location)
		in.errors = append(in.errors, f.errorLines(3))
	}
	return buildFleetReport(in), nil
}

// planFleetWindow is planWindow with a longer warm-up: every instance
// beats, syncs its location's schedule and starts claiming within its first
// heartbeat (2 s), and its connection pool fills up.
func planFleetWindow(t0 time.Time, interval, duration time.Duration) window {
	start := t0.Add(max(interval, 4*time.Second))
	k := t0.Add(duration-fleetDrain(interval)).Sub(start) / interval
	return window{start: start, end: start.Add(k * interval)}
}

// fleetDrain is how long the fleet runs after the window: a slot is
// claimed up to a claim poll (200 ms) after it is due, then run and
// recorded.
func fleetDrain(interval time.Duration) time.Duration { return min(interval, 2*time.Second) }

// minFleetDuration is the shortest fleet run whose window holds two
// intervals.
func minFleetDuration(interval time.Duration) time.Duration {
	return max(interval, 4*time.Second) + 2*interval + fleetDrain(interval)
}
