package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/pgtest"
	"github.com/authmon/monitor/internal/scheduler"
)

// fleetProc is one real `monitor serve` process of a fleet test.
type fleetProc struct {
	name, location string
	cmd            *exec.Cmd
	logs           *syncBuffer
	addr           string
}

// startFleetProc starts the test binary as `monitor serve` on db at
// location, named name (AUTHMON_INSTANCE).
func startFleetProc(t *testing.T, name, location, cfgPath, db string) *fleetProc {
	t.Helper()
	p := &fleetProc{name: name, location: location, logs: &syncBuffer{}}
	args := []string{"serve", "-config", cfgPath, "-db", db, "-listen", "127.0.0.1:0", "-location", location}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$")
	p.cmd.Env = append(os.Environ(), serveChildEnv+"="+strings.Join(args, "\n"), "AUTHMON_INSTANCE="+name,
		"E2E_PASSWORD="+canaryPassword)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	waitFor(t, name+"'s dashboard to listen", func() bool {
		if sm := listenRE.FindStringSubmatch(p.logs.String()); sm != nil {
			p.addr = sm[1]
		}
		return p.addr != ""
	})
	return p
}

// ready returns /readyz's status and body.
func (p *fleetProc) ready() (int, string) {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(p.addr + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// stop ends the process with SIGTERM and waits for it.
func (p *fleetProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s: %v\n%s", p.name, err, p.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not stop within 30 s", p.name)
	}
}

func writeFleetConfig(t *testing.T, dir string, targets []*target, slackURL string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[alerts]\nfailure_threshold = 1\nsuccess_threshold = 1\nflap_changes = 0\n\n")
	fmt.Fprintf(&b, "[slack]\ntoken = \"xoxb-fleet\"\nchannel = \"#fleet\"\napi_url = %q\n\n", slackURL+"/api/")
	for i, tg := range targets {
		fmt.Fprintf(&b, "[[check]]\nname = \"f%d\"\nurl = %q\nschedule = \"@every 1s\"\ntimeout = \"1s\"\n", i, tg.srv.URL+"/me")
		fmt.Fprintf(&b, "[check.auth]\ntype = \"basic\"\nusername = \"canary\"\npassword = \"${E2E_PASSWORD}\"\n\n")
	}
	path := filepath.Join(dir, "fleet.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFleet runs a fleet of real monitor processes on one PostgreSQL,
// behind PgBouncer in transaction mode: three instances in two locations
// (eu ×2, us ×1, then a fourth), five checks at 1 s. Along the way one eu
// instance is killed with SIGKILL, another is stalled (SIGSTOP) past its
// leases, the database is stopped and started again, and a target opens
// an auth bypass and closes it. At the end: every recorded run is one
// (check, location, slot), each location's slots run without a gap longer
// than the takeover bound (outside the database outage), exactly one
// incident opened and resolved, and every notification reached the
// Slack-compatible server exactly once.
func TestFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("a fleet of processes: not in -short")
	}
	ctx := context.Background()
	cluster := pgtest.Private(t)
	direct := cluster.URL("postgres")
	db := pgtest.Bouncer(t, direct)
	dir := t.TempDir()
	targets := []*target{newTarget(t), newTarget(t), newTarget(t), newTarget(t), newTarget(t)}
	sl := newCrashSlack(t)
	cfgPath := writeFleetConfig(t, dir, targets, sl.srv.URL)

	eu1 := startFleetProc(t, "eu-1", "eu", cfgPath, db)
	eu2 := startFleetProc(t, "eu-2", "eu", cfgPath, db)
	us1 := startFleetProc(t, "us-1", "us", cfgPath, db)
	conn, err := pgx.Connect(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { conn.Close(ctx) }()
	count := func(q string, args ...any) int {
		var n int
		if err := conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			// the connection did not survive the database restart
			conn.Close(ctx)
			if conn, err = pgx.Connect(ctx, direct); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		return n
	}
	runsFrom := func(loc string) int {
		return count(`SELECT COUNT(*) FROM runs WHERE location = $1`, loc)
	}
	waitFor(t, "runs from both locations", func() bool { return runsFrom("eu") >= 10 && runsFrom("us") >= 10 })
	for _, p := range []*fleetProc{eu1, eu2, us1} {
		if code, body := p.ready(); code != http.StatusOK {
			t.Fatalf("%s /readyz = %d %s", p.name, code, body)
		}
	}

	// SIGKILL an eu instance: its checks carry on from eu-2.
	killed := time.Now()
	eu1.cmd.Process.Kill()
	time.Sleep(6 * time.Second)

	// An auth bypass on f0: one incident, opened once, resolved once.
	targets[0].bypass.Store(true)
	waitFor(t, "the bypass incident", func() bool {
		return count(`SELECT COUNT(*) FROM incidents WHERE check_name = 'f0'`) > 0
	})
	time.Sleep(3 * time.Second) // both locations see it for a few runs
	targets[0].bypass.Store(false)
	waitFor(t, "the bypass incident to resolve", func() bool {
		return count(`SELECT COUNT(*) FROM incidents WHERE check_name = 'f0' AND resolved_ms = 0`) == 0
	})

	// A fourth instance joins eu; eu-2 stalls past its leases, then goes on.
	eu3 := startFleetProc(t, "eu-3", "eu", cfgPath, db)
	stalled := time.Now()
	eu2.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(8 * time.Second)
	eu2.cmd.Process.Signal(syscall.SIGCONT)
	time.Sleep(3 * time.Second)

	// The database stops for a few seconds: /readyz says monitoring is
	// degraded; then everything recovers by itself.
	before := count(`SELECT COUNT(*) FROM runs`)
	if err := cluster.StopServer(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	waitFor(t, "/readyz to report the outage", func() bool {
		code, body := us1.ready()
		return code == http.StatusServiceUnavailable && strings.Contains(body, "database")
	})
	time.Sleep(3 * time.Second)
	if err := cluster.StartServer(); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	for _, p := range []*fleetProc{eu2, eu3, us1} {
		deadline := time.Now().Add(30 * time.Second)
		for code, body := p.ready(); code != http.StatusOK; code, body = p.ready() {
			if time.Now().After(deadline) {
				t.Fatalf("%s is not ready again: %d %s\n%s", p.name, code, body, p.logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor(t, "runs after the outage", func() bool {
		return count(`SELECT COUNT(*) FROM runs r JOIN check_names c ON c.id = r.check_id WHERE r.started_ms > $1`, up.UnixMilli()) >= 20
	})
	if after := count(`SELECT COUNT(*) FROM runs`); after < before {
		t.Errorf("runs before the outage: %d, after: %d", before, after)
	}
	time.Sleep(3 * time.Second)
	for _, p := range []*fleetProc{eu2, eu3, us1} {
		p.stop(t)
	}
	waitFor(t, "nothing left to deliver", func() bool {
		return count(`SELECT COUNT(*) FROM outbox WHERE sent_ms IS NULL AND failed = 0`) == 0
	})

	// Every run is one slot; no slot twice (the key), none lost to a run
	// without its slot.
	if runs, slots := count(`SELECT COUNT(*) FROM runs WHERE location <> ''`), count(`SELECT COUNT(*) FROM slot_runs`); runs != slots {
		t.Errorf("%d runs but %d recorded slots", runs, slots)
	}
	if n := count(`SELECT COUNT(*) FROM runs WHERE location = ''`); n != 0 {
		t.Errorf("%d runs without a location", n)
	}
	// Gaps between a location's consecutive slots of a check, outside the
	// outage: at most the takeover bound (the lease: the check's worst
	// case, requests × timeout, plus 2 s; then the claim poll and a slot).
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(cfgPath, data, func(k string) (string, bool) { return canaryPassword, k == "E2E_PASSWORD" })
	if err != nil {
		t.Fatal(err)
	}
	var bound int64
	for _, ch := range cfg.Checks {
		bound = max(bound, scheduler.TakeoverBound(ch).Milliseconds())
	}
	rows, err := conn.Query(ctx, `SELECT check_name, location, slot_ms FROM slot_runs ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ check, loc string }
	last := map[key]int64{}
	worst := map[key]int64{}
	for rows.Next() {
		var k key
		var slot int64
		rows.Scan(&k.check, &k.loc, &slot)
		if prev, ok := last[k]; ok {
			outage := slot > down.UnixMilli() && prev < up.UnixMilli()+5000
			if gap := slot - prev; !outage && gap > worst[k] {
				worst[k] = gap
			}
		}
		last[k] = slot
	}
	rows.Close()
	if len(last) != 2*len(targets) {
		t.Errorf("slots recorded for %d (check, location) pairs, want %d", len(last), 2*len(targets))
	}
	for k, g := range worst {
		if g > bound {
			t.Errorf("%s from %s: a gap of %d ms between slots (kill at %s, stall at %s)", k.check, k.loc, g,
				killed.Format("15:04:05.000"), stalled.Format("15:04:05.000"))
		}
	}
	t.Logf("longest gap between slots per (check, location), bound %d ms: %v", bound, worst)

	// One incident, opened and resolved once each, every notification
	// delivered once.
	if n := count(`SELECT COUNT(*) FROM incidents`); n != 1 {
		t.Errorf("%d incidents, want 1", n)
	}
	for _, kind := range []string{"opened", "resolved"} {
		if n := count(`SELECT COUNT(*) FROM outbox WHERE event_json::json ->> 'kind' = $1`, kind); n != 1 {
			t.Errorf("%d %s notifications, want 1", n, kind)
		}
	}
	orows, err := conn.Query(ctx, `SELECT id, event_json::json ->> 'kind' FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	posts := map[string]int{}
	sl.mu.Lock()
	for _, c := range sl.calls {
		if c.method == "chat.postMessage" {
			posts[c.delivery]++
		}
	}
	sl.mu.Unlock()
	for orows.Next() {
		var id int64
		var kind string
		orows.Scan(&id, &kind)
		if n := posts[fmt.Sprintf("authmon-n%d", id)]; n != 1 {
			t.Errorf("notification %d (%s) posted %d times", id, kind, n)
		}
	}
	orows.Close()
	var opened string
	conn.QueryRow(ctx, `SELECT event_json FROM outbox WHERE event_json::json ->> 'kind' = 'opened'`).Scan(&opened)
	if !strings.Contains(opened, `"location":"eu"`) || !strings.Contains(opened, `"location":"us"`) {
		t.Errorf("the opened notification does not name the locations: %s", opened)
	}
	for _, p := range []*fleetProc{eu1, eu2, eu3, us1} {
		if strings.Contains(p.logs.String(), canaryPassword) {
			t.Errorf("%s logged the check's password", p.name)
		}
	}
	for _, p := range []*fleetProc{eu2, us1} {
		if !strings.Contains(p.logs.String(), "database reachable again") {
			t.Errorf("%s did not log its recovery:\n%s", p.name, p.logs.String())
		}
	}
}

// TestFleetConfigMismatch: an instance whose file differs from the fleet's
// says so on /readyz and claims nothing; once its file matches and it is
// reloaded (SIGHUP), it takes its share of the slots.
func TestFleetConfigMismatch(t *testing.T) {
	if testing.Short() {
		t.Skip("a fleet of processes: not in -short")
	}
	ctx := context.Background()
	db := pgtest.DB(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	targets := []*target{newTarget(t), newTarget(t), newTarget(t)}
	sl := newCrashSlack(t)
	cfgA := writeFleetConfig(t, dirA, targets, sl.srv.URL)
	cfgB := writeFleetConfig(t, dirB, targets[:2], sl.srv.URL) // one check fewer
	a := startFleetProc(t, "a", "eu", cfgA, db)
	waitFor(t, "a to claim", func() bool { code, _ := a.ready(); return code == http.StatusOK })
	b := startFleetProc(t, "b", "eu", cfgB, db)
	waitFor(t, "b to say its config differs", func() bool {
		code, body := b.ready()
		return code == http.StatusServiceUnavailable && strings.Contains(body, "config differs from the fleet's")
	})
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	slotsOf := func(who string) int {
		var n int
		if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM slot_runs WHERE instance = $1`, who).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	time.Sleep(3 * time.Second)
	if n := slotsOf("b"); n != 0 {
		t.Fatalf("b ran %d slots with another config", n)
	}
	if slotsOf("a") == 0 {
		t.Fatal("a ran nothing")
	}
	data, err := os.ReadFile(cfgA)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgB, data, 0o600); err != nil {
		t.Fatal(err)
	}
	b.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "b to be ready once its config matches", func() bool { code, _ := b.ready(); return code == http.StatusOK })
	waitFor(t, "b to take slots", func() bool { return slotsOf("b") > 0 })
	if !strings.Contains(b.logs.String(), "config differs from the fleet's") {
		t.Errorf("b did not log the mismatch:\n%s", b.logs.String())
	}
	a.stop(t)
	b.stop(t)
}
