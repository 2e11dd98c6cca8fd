package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// fleetReport is what one fleet load test measured. Its JSON is the -json
// line; durations are in milliseconds and sizes in MiB unless the name
// says otherwise.
type fleetReport struct {
	Instances   int     `json:"instances"`
	Locations   int     `json:"locations"`
	Checks      int     `json:"checks"`
	Probes      int     `json:"probes"`
	IntervalS   float64 `json:"interval_s"`
	TimeoutS    float64 `json:"timeout_s"`
	TargetHosts int     `json:"target_hosts"`
	WindowS     float64 `json:"window_s"`

	PerLocation  []locationFigures `json:"per_location"`
	RunsExpected int64             `json:"runs_expected"`
	RunsExecuted int64             `json:"runs_executed"`
	RunsMissed   int64             `json:"runs_missed"`
	RunsFailed   int64             `json:"runs_failed"`

	// Duplicates: runs with a location beyond the recorded slots, slot
	// keys recorded twice, (check, location) whose runs and slots differ in
	// number, runs without a location.
	ExtraRuns     int64 `json:"duplicates_runs_minus_slots"`
	KeysTwice     int64 `json:"duplicates_slot_keys_twice"`
	PairsUneven   int64 `json:"check_locations_runs_ne_slots"`
	RunsUnlocated int64 `json:"runs_without_location"`

	// Lateness from the database: run start minus slot, window slots.
	LatenessP50 float64 `json:"lateness_p50_ms"`
	LatenessP99 float64 `json:"lateness_p99_ms"`
	LatenessMax float64 `json:"lateness_max_ms"`
	LatenessN   int64   `json:"lateness_n"`
	// The instances' own figure (instances.late_p99_ms, since each start).
	InstanceLateP99 float64 `json:"instances_late_p99_max_ms"`

	PerInstance        []instanceFigures `json:"per_instance"`
	Requests           int64             `json:"http_requests"`
	MonitorCPUSeconds  float64           `json:"monitor_cpu_s"`
	MonitorCPUPerReq   float64           `json:"monitor_cpu_ms_per_request"`
	PostgresCPUSeconds float64           `json:"postgres_cpu_s"`
	PostgresCPUPerRun  float64           `json:"postgres_cpu_ms_per_run"`
	MachineBusyCores   float64           `json:"machine_busy_cores"`

	DBCommitsPerS   float64 `json:"db_commits_per_s"`
	DBRowsPerS      float64 `json:"db_rows_written_per_s"`
	DBInsertsPerS   float64 `json:"db_inserts_per_s"`
	DBUpdatesPerS   float64 `json:"db_updates_per_s"`
	DBDeletesPerS   float64 `json:"db_deletes_per_s"`
	DBCommitsPerRun float64 `json:"db_commits_per_run"`
	DBRowsPerRun    float64 `json:"db_rows_written_per_run"`
	DBRunsInWindow  int64   `json:"db_runs_in_window"`
	DBBytesGrowth   int64   `json:"db_bytes_growth"`
	DBBytesPerRun   float64 `json:"db_bytes_per_run"`
	WALBytesPerRun  float64 `json:"wal_bytes_per_run"`
	DBBytesEnd      int64   `json:"db_bytes_end"`

	// -kill: which instance, when (s into the window), and the longest
	// gap between consecutive slots of a (check, location) of its location
	// across the kill; MaxGapElsewhere is the same in the other locations.
	Killed          string  `json:"killed,omitempty"`
	KilledAtS       float64 `json:"killed_at_s,omitempty"`
	FailoverGap     float64 `json:"failover_longest_gap_ms,omitempty"`
	FailoverChecks  int     `json:"failover_checks_with_a_gap,omitempty"`
	MaxGapElsewhere float64 `json:"longest_gap_other_locations_ms,omitempty"`

	GoVersion string  `json:"go_version"`
	CPUs      int     `json:"cpus"`
	LoadAvg   float64 `json:"loadavg_1m"`

	TargetCPUMsPerRequest float64 `json:"target_cpu_ms_per_request"` // set once the target stopped
	recordedAll           int64   // runs recorded over the whole run, for the target's CPU
	errors                []string
}

type locationFigures struct {
	Location  string `json:"location"`
	Instances int    `json:"instances"`
	Expected  int64  `json:"runs_expected"`
	Executed  int64  `json:"runs_executed"`
	Failed    int64  `json:"runs_failed"`
}

type instanceFigures struct {
	Name        string  `json:"name"`
	Location    string  `json:"location"`
	Killed      bool    `json:"killed,omitempty"`
	Slots       int64   `json:"window_slots_run"`
	CPUSeconds  float64 `json:"cpu_s"`
	CPUPerReq   float64 `json:"cpu_ms_per_request"`
	RSS         float64 `json:"rss_mib"`
	HWM         float64 `json:"vmhwm_mib"`
	LateP99     float64 `json:"own_late_p99_ms"`
	SlotsMissed int64   `json:"own_slots_skipped"`
}

// fleetInputs is everything a fleet report is computed from.
type fleetInputs struct {
	o             options
	win           window
	before, after edge
	beats         map[string]beat
	facts         fleetFacts
	names, locs   []string // the instances, in start order
	errors        [][]string
	killed        int // index of the killed instance, -1 if none
	killedAt      time.Time
}

// buildFleetReport computes the report. A killed instance has no figures
// at the window's end: its CPU and memory are left out.
func buildFleetReport(in fleetInputs) *fleetReport {
	o, win := in.o, in.win
	secs := win.end.Sub(win.start).Seconds()
	perLoc := int64(o.checks) * int64(win.end.Sub(win.start)/o.interval)
	r := &fleetReport{Instances: o.instances, Locations: o.locations, Checks: o.checks, Probes: o.probes, IntervalS: o.interval.Seconds(),
		TimeoutS: o.timeout.Seconds(), TargetHosts: o.hosts, WindowS: secs,
		ExtraRuns: in.facts.runsLocated - in.facts.slotRows, KeysTwice: in.facts.keysTwice,
		PairsUneven: in.facts.pairsUneven, RunsUnlocated: in.facts.runsUnlocated,
		LatenessP50: in.facts.late.p50, LatenessP99: in.facts.late.p99, LatenessMax: in.facts.late.max,
		LatenessN: in.facts.late.n, recordedAll: in.facts.runsLocated}
	for _, loc := range locationNames(o.locations) {
		lf := locationFigures{Location: loc, Expected: perLoc, Executed: in.facts.slotsByLocation[loc],
			Failed: in.facts.failedByLoc[loc]}
		for _, l := range in.locs {
			if l == loc {
				lf.Instances++
			}
		}
		r.PerLocation = append(r.PerLocation, lf)
		r.RunsExpected += lf.Expected
		r.RunsExecuted += min(lf.Executed, lf.Expected)
		r.RunsFailed += lf.Failed
	}
	r.RunsMissed = max(0, r.RunsExpected-r.RunsExecuted)
	r.Requests = r.RunsExecuted * int64(o.probes)

	var cpu time.Duration
	for i, name := range in.names {
		f := instanceFigures{Name: name, Location: in.locs[i], Killed: i == in.killed,
			Slots: in.facts.slotsByInstance[name]}
		b, okB := in.before.instances[name]
		a, okA := in.after.instances[name]
		if okA && okB {
			d := a.cpu - b.cpu
			cpu += d
			f.CPUSeconds = round2(d.Seconds())
			if f.Slots > 0 {
				f.CPUPerReq = round3(d.Seconds() * 1000 / float64(f.Slots*int64(o.probes)))
			}
			f.RSS, f.HWM = mibOf(a.rss), mibOf(a.hwm)
		}
		if bt, ok := in.beats[name]; ok {
			f.LateP99, f.SlotsMissed = float64(bt.lateP99m), bt.skipped
			r.InstanceLateP99 = max(r.InstanceLateP99, f.LateP99)
		}
		r.PerInstance = append(r.PerInstance, f)
		for _, e := range in.errors[i] {
			r.errors = append(r.errors, name+": "+e)
		}
	}
	r.MonitorCPUSeconds = round2(cpu.Seconds())
	if in.killed < 0 && r.Requests > 0 {
		r.MonitorCPUPerReq = round3(cpu.Seconds() * 1000 / float64(r.Requests))
	}

	pgCPU := pgCPUDelta(in.before.pg, in.after.pg)
	r.PostgresCPUSeconds = round2(pgCPU.Seconds())
	db0, db1 := in.before.db, in.after.db
	runs := db1.runs - db0.runs
	r.DBRunsInWindow = runs
	if runs > 0 {
		r.PostgresCPUPerRun = round3(pgCPU.Seconds() * 1000 / float64(runs))
	}
	if total := in.after.total - in.before.total; total > 0 {
		cores := float64(runtime.NumCPU())
		r.MachineBusyCores = round2(cores * float64(in.after.busy-in.before.busy) / float64(total))
	}
	if secs > 0 {
		ins, upd, del := db1.inserted-db0.inserted, db1.updated-db0.updated, db1.deleted-db0.deleted
		r.DBCommitsPerS = math.Round(float64(db1.commits-db0.commits) / secs)
		r.DBInsertsPerS, r.DBUpdatesPerS, r.DBDeletesPerS = math.Round(float64(ins)/secs), math.Round(float64(upd)/secs), math.Round(float64(del)/secs)
		r.DBRowsPerS = math.Round(float64(ins+upd+del) / secs)
		if runs > 0 {
			r.DBCommitsPerRun = round2(float64(db1.commits-db0.commits) / float64(runs))
			r.DBRowsPerRun = round2(float64(ins+upd+del) / float64(runs))
		}
	}
	r.DBBytesGrowth, r.DBBytesEnd = db1.size-db0.size, db1.size
	if runs > 0 {
		r.DBBytesPerRun = math.Round(float64(r.DBBytesGrowth) / float64(runs))
		r.WALBytesPerRun = math.Round(float64(db1.walBytes-db0.walBytes) / float64(runs))
	}

	if in.killed >= 0 {
		r.Killed = in.names[in.killed]
		r.KilledAtS = round2(in.killedAt.Sub(win.start).Seconds())
		g := slotGaps(in.facts.slots, win.end.UnixMilli(), in.killedAt.UnixMilli(), in.locs[in.killed], o.interval)
		r.FailoverGap, r.FailoverChecks, r.MaxGapElsewhere = float64(g.victim), g.victimChecks, float64(g.others)
	}
	r.GoVersion, r.CPUs, r.LoadAvg = runtime.Version(), runtime.NumCPU(), loadAvg()
	return r
}

// pgCPUDelta is the CPU the database server's processes used between two
// edges: the difference for a process seen at both, all of it for one
// that started in between (a new connection), nothing for one that ended.
func pgCPUDelta(before, after map[int]procStat) time.Duration {
	var d time.Duration
	for pid, a := range after {
		if b, ok := before[pid]; ok {
			d += max(a.cpu-b.cpu, 0)
		} else {
			d += a.cpu
		}
	}
	return d
}

// gaps are the longest gaps between consecutive recorded slots of a
// (check, location).
type gaps struct {
	victim       int64 // in the killed instance's location, ending after the kill
	victimChecks int   // its checks with a gap longer than 1.5 intervals there
	others       int64 // in the other locations, ending after the kill
}

// slotGaps finds the longest gaps between consecutive slots of each
// (check, location) whose later slot comes after killMs. slots are sorted
// by check, location and slot; endMs (the window's end) counts as a last
// slot, so that a check that never ran again after the kill shows its gap.
func slotGaps(slots []slotRow, endMs, killMs int64, location string, interval time.Duration) gaps {
	var g gaps
	long := int64(interval/time.Millisecond) * 3 / 2
	note := func(loc string, gap int64) {
		if loc == location {
			g.victim = max(g.victim, gap)
		} else {
			g.others = max(g.others, gap)
		}
	}
	for i, s := range slots {
		last := i+1 == len(slots) || slots[i+1].check != s.check || slots[i+1].location != s.location
		var next int64
		if last {
			next = endMs
		} else {
			next = slots[i+1].slotMs
		}
		if next < killMs || next <= s.slotMs {
			continue
		}
		gap := next - s.slotMs
		if last && gap <= long {
			continue // the window simply ended
		}
		note(s.location, gap)
	}
	g.victimChecks = countLongGapChecks(slots, endMs, killMs, location, long)
	return g
}

// countLongGapChecks counts the checks of location with at least one gap
// longer than long ending after killMs.
func countLongGapChecks(slots []slotRow, endMs, killMs int64, location string, long int64) int {
	seen := map[string]bool{}
	for i, s := range slots {
		if s.location != location {
			continue
		}
		next := endMs
		if i+1 < len(slots) && slots[i+1].check == s.check && slots[i+1].location == s.location {
			next = slots[i+1].slotMs
		}
		if next >= killMs && next-s.slotMs > long {
			seen[s.check] = true
		}
	}
	return len(seen)
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// failure says why the fleet run counts as failed, or "" when it does not.
func (r *fleetReport) failure() string {
	switch {
	case r.RunsExpected == 0:
		return "the window held no interval: raise -duration"
	case r.ExtraRuns != 0 || r.KeysTwice != 0:
		return fmt.Sprintf("duplicates: %d runs more than recorded slots, %d slot keys recorded twice", r.ExtraRuns, r.KeysTwice)
	case r.RunsUnlocated != 0:
		return fmt.Sprintf("%d runs without a location", r.RunsUnlocated)
	}
	return runsVerdict(r.RunsExpected, r.RunsExecuted, r.RunsMissed, r.RunsFailed,
		": the fleet or the database did not keep up", " (timeouts or refused connections)")
}

// writeTable prints the report for a person.
func (r *fleetReport) writeTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("load", "%d instances in %d locations, %d checks × @every %gs from each location, %d probes each, timeout %gs, %d target hosts",
		r.Instances, r.Locations, r.Checks, r.IntervalS, r.Probes, r.TimeoutS, r.TargetHosts)
	row("machine", "%s, %d CPUs, load average %.2f at the end; busy %.2f cores over the window (everything on the machine)",
		r.GoVersion, r.CPUs, r.LoadAvg, r.MachineBusyCores)
	row("window", "%gs after the warm-up", r.WindowS)
	row("runs", "%d executed / %d expected, %d missed (%.2f%%), %d failed",
		r.RunsExecuted, r.RunsExpected, r.RunsMissed, pct(r.RunsMissed, r.RunsExpected), r.RunsFailed)
	for _, l := range r.PerLocation {
		row("  "+l.Location, "%d instances: %d executed / %d expected (%.2f%% missed), %d failed",
			l.Instances, l.Executed, l.Expected, pct(max(l.Expected-l.Executed, 0), l.Expected), l.Failed)
	}
	row("duplicates", "%d runs beyond the recorded slots, %d slot keys twice; %d (check, location) with runs ≠ slots, %d runs without a location",
		r.ExtraRuns, r.KeysTwice, r.PairsUneven, r.RunsUnlocated)
	row("start lateness", "p50 %.0f ms, p99 %.0f ms, max %.0f ms (n=%d, run start − slot, from the database); instances' own p99 ≤ %.0f ms",
		r.LatenessP50, r.LatenessP99, r.LatenessMax, r.LatenessN, r.InstanceLateP99)
	for _, f := range r.PerInstance {
		if f.Killed {
			row("  "+f.Name, "%s, killed: %d window slots before the kill", f.Location, f.Slots)
			continue
		}
		row("  "+f.Name, "%s: %d window slots, CPU %.2f s = %.3f ms/request, RSS %.1f MiB (peak %.1f), own p99 %.0f ms, %d slots skipped",
			f.Location, f.Slots, f.CPUSeconds, f.CPUPerReq, f.RSS, f.HWM, f.LateP99, f.SlotsMissed)
	}
	perReq := fmt.Sprintf("%.3f ms/request", r.MonitorCPUPerReq)
	if r.MonitorCPUPerReq == 0 { // a killed instance's CPU is not known: see each survivor's above
		perReq = "n/a (an instance was killed)"
	}
	row("CPU", "monitors %.2f s for %d requests = %s; PostgreSQL %.2f s = %.3f ms per run; target %.3f ms/request (whole life)",
		r.MonitorCPUSeconds, r.Requests, perReq, r.PostgresCPUSeconds, r.PostgresCPUPerRun, r.TargetCPUMsPerRequest)
	row("database", "%.0f commits/s, %.0f rows written/s (%.0f inserted, %.0f updated, %.0f deleted); %.2f commits and %.2f rows per run",
		r.DBCommitsPerS, r.DBRowsPerS, r.DBInsertsPerS, r.DBUpdatesPerS, r.DBDeletesPerS, r.DBCommitsPerRun, r.DBRowsPerRun)
	row("database bytes", "+%d bytes for %d runs = %.0f bytes per run (WAL %.0f bytes per run); %d bytes at the end",
		r.DBBytesGrowth, r.DBRunsInWindow, r.DBBytesPerRun, r.WALBytesPerRun, r.DBBytesEnd)
	if r.Killed != "" {
		row("failover", "%s killed (-9) %.1f s into the window: longest gap between slots in its location %.0f ms (%d checks with a gap > 1.5 intervals); elsewhere %.0f ms",
			r.Killed, r.KilledAtS, r.FailoverGap, r.FailoverChecks, r.MaxGapElsewhere)
	}
	if len(r.errors) > 0 {
		row("instance errors", "%s", strings.Join(slices.Clip(r.errors), "\n\t"))
	}
	tw.Flush()
}
