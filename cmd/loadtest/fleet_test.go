package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/config"
)

func TestFleetOptions(t *testing.T) {
	base := []string{"-instances", "3", "-locations", "2", "-monitor", "/tmp/monitor",
		"-db", "postgres://postgres@127.0.0.1:55432/load", "-duration", "50s"}
	tests := []struct {
		name  string
		extra []string
		ok    bool
	}{
		{"a fleet", nil, true},
		{"with -kill", []string{"-kill"}, true},
		{"more locations than instances", []string{"-locations", "4"}, false},
		{"-kill with one instance per location", []string{"-locations", "3", "-kill"}, false},
		{"no postgres", []string{"-db", "/tmp/x.db"}, false},
		{"a remote database", []string{"-db", "postgres://u@db.example.org/load"}, false},
		{"no monitor binary", []string{"-monitor", ""}, false},
		{"a profile of other processes", []string{"-cpuprofile", "x"}, false},
		{"too short", []string{"-duration", "6s"}, false},
		{"too many instances", []string{"-instances", "17"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOptions(append(append([]string{}, base...), tt.extra...), io.Discard)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok %v", err, tt.ok)
			}
		})
	}
	if _, err := parseOptions([]string{"-db", "postgres://127.0.0.1/x"}, io.Discard); err == nil {
		t.Error("-db without -instances accepted")
	}
	if _, err := parseOptions([]string{"-duration", "10s"}, io.Discard); err != nil {
		t.Errorf("the single-process mode: %v", err)
	}
}

// TestFleetConfigParses checks that the fleet's config holds the checks the
// single-process mode generates.
func TestFleetConfigParses(t *testing.T) {
	o := options{checks: 3, probes: maxProbes, interval: time.Second, timeout: 2 * time.Second, limits: limits{global: 64, perHost: 4}}
	addrs := []string{"127.0.0.1:8001", "127.0.0.2:8002"}
	cfg, err := config.Parse("fleet.toml", []byte(fleetConfig(o, addrs)), func(k string) (string, bool) {
		return targetPass, k == passwordEnv
	})
	if err != nil {
		t.Fatal(err)
	}
	want := generateChecks(3, maxProbes, time.Second, 2*time.Second, addrs)
	if len(cfg.Checks) != len(want) {
		t.Fatalf("%d checks, want %d", len(cfg.Checks), len(want))
	}
	for i, ch := range cfg.Checks {
		w := want[i]
		if ch.Name != w.Name || ch.URL != w.URL || ch.Schedule != w.Schedule || ch.Timeout != w.Timeout ||
			ch.Auth.Username != targetUser || ch.Auth.Password != targetPass || len(ch.Probes) != len(w.Probes) {
			t.Errorf("check %d = %+v, want %+v", i, ch, w)
		}
		for j, p := range ch.Probes {
			if p.Kind != w.Probes[j].Kind {
				t.Errorf("check %d probe %d = %s, want %s", i, j, p.Kind, w.Probes[j].Kind)
			}
		}
	}
}

func TestInstancePlacement(t *testing.T) {
	var got []string
	for i := range 5 {
		got = append(got, instanceName(i)+"@"+locationName(i, 2))
	}
	if s := strings.Join(got, " "); s != "load-1@loc-1 load-2@loc-2 load-3@loc-1 load-4@loc-2 load-5@loc-1" {
		t.Errorf("placement = %s", s)
	}
	if victim(3, 2) != 0 || victim(2, 2) != -1 {
		t.Errorf("victim(3,2) = %d, victim(2,2) = %d", victim(3, 2), victim(2, 2))
	}
}

func TestSlotGaps(t *testing.T) {
	s := func(check, loc string, ms ...int64) []slotRow {
		var out []slotRow
		for _, m := range ms {
			out = append(out, slotRow{check, loc, m})
		}
		return out
	}
	var slots []slotRow
	slots = append(slots, s("a", "loc-1", 1000, 2000, 3000, 9000, 10000)...) // 6 s gap after the kill at 3500
	slots = append(slots, s("a", "loc-2", 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000)...)
	slots = append(slots, s("b", "loc-1", 1000, 2000)...) // before the kill: nothing counts but the end
	slots = append(slots, s("c", "loc-1", 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000)...)
	g := slotGaps(slots, 10500, 3500, "loc-1", time.Second)
	if g.victim != 8500 { // b never ran again: 2000 → the window's end
		t.Errorf("victim gap = %d, want 8500", g.victim)
	}
	if g.victimChecks != 2 {
		t.Errorf("checks with a gap = %d, want 2 (a and b)", g.victimChecks)
	}
	if g.others != 1000 {
		t.Errorf("others = %d, want 1000", g.others)
	}
}

func TestParseProc(t *testing.T) {
	stat := []byte("1234 (monitor (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 300 0 0\n")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3*time.Second {
		t.Errorf("cpu = %v, %v; want 3s", cpu, err)
	}
	if _, err := parseStatCPU([]byte("garbage")); err == nil {
		t.Error("garbage parsed")
	}
	busy, total := parseMachineCPU([]byte("cpu  100 10 50 800 40 0 0 0 0 0"))
	if busy != 1600*time.Millisecond || total != 10*time.Second {
		t.Errorf("busy %v total %v", busy, total)
	}
}

func TestFleetReport(t *testing.T) {
	o := options{checks: 10, probes: maxProbes, interval: time.Second, timeout: 10 * time.Second, instances: 3, locations: 2, hosts: 8}
	t0 := time.Unix(1000, 0)
	win := window{start: t0, end: t0.Add(10 * time.Second)}
	ps := func(cpu time.Duration) procStat { return procStat{cpu: cpu, rss: 20 << 20, hwm: 30 << 20} }
	in := fleetInputs{o: o, win: win, killed: -1,
		names: []string{"load-1", "load-2", "load-3"}, locs: []string{"loc-1", "loc-2", "loc-1"},
		errors: make([][]string, 3),
		before: edge{instances: map[string]procStat{"load-1": ps(0), "load-2": ps(0), "load-3": ps(0)},
			pg: map[int]procStat{1: ps(time.Second)}, db: pgCounters{commits: 100, inserted: 1000, runs: 50, size: 1 << 20},
			busy: 0, total: 20 * time.Second},
		after: edge{instances: map[string]procStat{"load-1": ps(150 * time.Millisecond), "load-2": ps(300 * time.Millisecond), "load-3": ps(150 * time.Millisecond)},
			pg: map[int]procStat{1: ps(2 * time.Second), 2: ps(time.Second)}, db: pgCounters{commits: 150, inserted: 1900, updated: 100, runs: 250, size: 1<<20 + 200_000},
			busy: 10 * time.Second, total: 40 * time.Second},
		beats: map[string]beat{"load-2": {lateP99m: 250}},
		facts: fleetFacts{slotsByLocation: map[string]int64{"loc-1": 99, "loc-2": 100},
			slotsByInstance: map[string]int64{"load-1": 50, "load-2": 100, "load-3": 49},
			runsLocated:     260, slotRows: 260, late: lateness{p50: 100, p99: 210, max: 300, n: 199}},
	}
	r := buildFleetReport(in)
	if r.RunsExpected != 200 || r.RunsExecuted != 199 || r.RunsMissed != 1 {
		t.Errorf("runs %d / %d, missed %d", r.RunsExecuted, r.RunsExpected, r.RunsMissed)
	}
	if r.PerLocation[0].Instances != 2 || r.PerLocation[1].Instances != 1 {
		t.Errorf("per location = %+v", r.PerLocation)
	}
	if r.PerInstance[1].CPUPerReq != 1 { // 300 ms for 100 runs × 3 requests
		t.Errorf("load-2 CPU per request = %v ms", r.PerInstance[1].CPUPerReq)
	}
	if r.MonitorCPUPerReq != round3(600.0/597) {
		t.Errorf("monitor CPU per request = %v", r.MonitorCPUPerReq)
	}
	if r.PostgresCPUSeconds != 2 || r.PostgresCPUPerRun != 10 { // 1 s + a new backend's 1 s, 200 runs
		t.Errorf("postgres %v s, %v ms/run", r.PostgresCPUSeconds, r.PostgresCPUPerRun)
	}
	if r.DBRowsPerS != 100 || r.DBCommitsPerS != 5 || r.DBBytesPerRun != 1000 || r.DBRowsPerRun != 5 {
		t.Errorf("db: %v rows/s, %v commits/s, %v bytes/run, %v rows/run", r.DBRowsPerS, r.DBCommitsPerS, r.DBBytesPerRun, r.DBRowsPerRun)
	}
	if r.InstanceLateP99 != 250 || r.LatenessP99 != 210 {
		t.Errorf("lateness %v / %v", r.InstanceLateP99, r.LatenessP99)
	}
	if r.failure() != "" {
		t.Errorf("failure = %q", r.failure())
	}
	r.ExtraRuns = 1
	if !strings.Contains(r.failure(), "duplicates") {
		t.Errorf("a duplicate passed: %q", r.failure())
	}
	r.ExtraRuns, r.RunsMissed = 0, 3
	if !strings.Contains(r.failure(), "missed") {
		t.Errorf("3 of 200 missed passed: %q", r.failure())
	}
}
