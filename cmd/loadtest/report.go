package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets on 2 cores: CPU per check run with one request and per further
// request; RSS up to 1,000 checks and up to 10,000.
const (
	targetCPUMsPerCheck = 0.15
	targetCPUMsPerProbe = 0.08
	targetRSSMiB        = 30
	targetRSSMiB10k     = 64
	missedTolerance     = 0.01 // more missed runs than this fails the command
)

// cpuTarget is the CPU a check run of probes requests may take, in ms.
func cpuTarget(probes int) float64 {
	return targetCPUMsPerCheck + targetCPUMsPerProbe*float64(probes-1)
}

// rssTarget is the RSS n checks may take, in MiB.
func rssTarget(n int) float64 {
	if n <= 1000 {
		return targetRSSMiB
	}
	return targetRSSMiB10k
}

// report is what one load test measured. Its JSON is the -json line; every
// duration is in milliseconds and every size in MiB unless its name says so.
type report struct {
	Checks           int              `json:"checks"`
	Probes           int              `json:"probes"`
	IntervalS        float64          `json:"interval_s"`
	TargetHosts      int              `json:"target_hosts"`
	MaxConcurrency   int              `json:"max_concurrency"`
	MaxPerHost       int              `json:"max_per_host"`
	WindowS          float64          `json:"window_s"`
	RunsExpected     int64            `json:"runs_expected"`
	RunsExecuted     int64            `json:"runs_executed"`
	RunsRecorded     int64            `json:"runs_recorded_total"`
	RunsMissed       int64            `json:"runs_missed"`
	MissedByInterval []int64          `json:"missed_by_interval,omitempty"` // oldest first
	RunsFailed       int64            `json:"runs_failed"`
	RecordErrors     int64            `json:"record_errors"`
	LatenessP50      float64          `json:"lateness_p50_ms"`
	LatenessP99      float64          `json:"lateness_p99_ms"`
	LatenessN        int              `json:"lateness_n"`
	LatenessMax      float64          `json:"lateness_max_ms"`
	RunP50           float64          `json:"run_p50_ms"`
	RunP99           float64          `json:"run_p99_ms"`
	RunMax           float64          `json:"run_max_ms"`
	RecordP50        float64          `json:"record_p50_ms"`
	RecordP99        float64          `json:"record_p99_ms"`
	RecordMax        float64          `json:"record_max_ms"`
	Requests         int64            `json:"http_requests"`
	CPUSeconds       float64          `json:"cpu_s"`
	CPUPer1000       float64          `json:"cpu_s_per_1000_requests"`
	CPUPerCheck      float64          `json:"cpu_ms_per_check_run"`
	StartS           float64          `json:"start_s"`
	FirstRunChecks   int              `json:"first_run_checks"`
	FirstRunAllS     float64          `json:"first_run_all_s"`
	RSSMean          float64          `json:"rss_mean_mib"`
	HeapMean         float64          `json:"heap_inuse_mean_mib"`
	MaxRSS           float64          `json:"maxrss_mib"`
	VmHWM            float64          `json:"vmhwm_mib"`
	SampledRSS       float64          `json:"sampled_rss_peak_mib"`
	PeakFile         float64          `json:"peak_rss_file_mib"`
	PeakGo           float64          `json:"peak_rss_go_runtime_mib"`
	PeakOther        float64          `json:"peak_rss_other_anon_mib"`
	HeapPeak         float64          `json:"heap_inuse_peak_mib"`
	HeapEnd          float64          `json:"heap_inuse_end_mib"`
	DBBytes          int64            `json:"db_bytes"`
	DBRuns           int64            `json:"db_runs"`
	DBBytesPerRun    float64          `json:"db_bytes_per_run"`
	DBTables         map[string]int64 `json:"db_bytes_by_table"`
	TargetCPUPer1000 float64          `json:"target_cpu_s_per_1000_requests"`
	GoVersion        string           `json:"go_version"`
	CPUs             int              `json:"cpus"`
	LoadAvg          float64          `json:"loadavg_1m"`
}

// memory fills in the sampled memory figures.
func (r *report) memory(p memPeaks) {
	r.SampledRSS, r.PeakFile = mibOf(p.atPeak.rss), mibOf(p.atPeak.file)
	rss, heap := p.means()
	r.RSSMean, r.HeapMean = mibOf(rss), mibOf(heap)
	r.PeakGo = mibOf(min(p.goAtPeak, p.atPeak.anon))
	r.PeakOther = mibOf(max(p.atPeak.anon-p.goAtPeak, 0))
	r.HeapPeak, r.HeapEnd = mibOf(p.heapInuse), mibOf(p.heapEnd)
}

func msOf(d time.Duration) float64 { return round2(float64(d) / 1e6) }

func mibOf(b int64) float64 { return round2(float64(b) / (1 << 20)) }

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// failure says why the run counts as failed, or "" when it does not.
func (r *report) failure() string {
	switch {
	case r.RunsExpected == 0:
		return "the window held no interval: raise -duration"
	case r.DBRuns != r.RunsRecorded:
		return fmt.Sprintf("the database holds %d runs but the store acknowledged %d", r.DBRuns, r.RunsRecorded)
	}
	return runsVerdict(r.RunsExpected, r.RunsExecuted, r.RunsMissed, r.RunsFailed,
		": the scheduler or the store did not keep up", " (timeouts or refused connections): the target or the monitor did not keep up")
}

// runsVerdict judges the run counts every mode reports: more missed slots
// or failed runs than the tolerance fail the command. missedWhy and
// failedWhy end the message with what the mode suspects.
func runsVerdict(expected, executed, missed, failed int64, missedWhy, failedWhy string) string {
	switch {
	case float64(missed) > missedTolerance*float64(expected):
		return fmt.Sprintf("%d of %d runs missed (%.2f%%, more than %.0f%%)%s",
			missed, expected, pct(missed, expected), missedTolerance*100, missedWhy)
	case float64(failed) > missedTolerance*float64(executed):
		return fmt.Sprintf("%d of %d runs failed an assertion%s", failed, executed, failedWhy)
	}
	return ""
}

func pct(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// verdict compares a figure with its limit: "met" or "MISSED by X%".
func verdict(got, limit float64) string {
	if got <= limit {
		return "met"
	}
	return fmt.Sprintf("MISSED by %.0f%%", 100*(got-limit)/limit)
}

// missedVerdict is the verdict on "no missed run".
func missedVerdict(missed int64) string {
	if missed == 0 {
		return "met"
	}
	return fmt.Sprintf("MISSED (%d runs)", missed)
}

// writeTable prints the report for a person.
func (r *report) writeTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("load", "%d checks × @every %gs, %d probes each, %d target hosts, limits %d / %d per host",
		r.Checks, r.IntervalS, r.Probes, r.TargetHosts, r.MaxConcurrency, r.MaxPerHost)
	row("machine", "%s, %d CPUs, load average %.2f at the end", r.GoVersion, r.CPUs, r.LoadAvg)
	row("start", "%.2f s from opening the store to the scheduler started; %d of %d checks ran, the last first ran %.2f s after the start",
		r.StartS, r.FirstRunChecks, r.Checks, r.FirstRunAllS)
	row("window", "%gs after the warm-up", r.WindowS)
	row("runs", "%d executed / %d expected, %d missed (%.2f%%), %d failed, %d record errors",
		r.RunsExecuted, r.RunsExpected, r.RunsMissed, pct(r.RunsMissed, r.RunsExpected), r.RunsFailed, r.RecordErrors)
	if r.RunsMissed > 0 {
		row("missed when", "%s", missedWhen(r.MissedByInterval))
	}
	row("start lateness", "p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d, scheduler.Lateness)",
		r.LatenessP50, r.LatenessP99, r.LatenessMax, r.LatenessN)
	row("run / record", "checks.Run p50 %.2f p99 %.2f max %.2f ms; RecordRun p50 %.2f p99 %.2f max %.2f ms",
		r.RunP50, r.RunP99, r.RunMax, r.RecordP50, r.RecordP99, r.RecordMax)
	row("CPU", "%.2f s for %d runs, %d requests = %.3f ms per check run, %.3f ms per request (target process, whole life: %.3f ms per request)",
		r.CPUSeconds, r.RunsExecuted, r.Requests, r.CPUPerCheck, r.CPUPer1000, r.TargetCPUPer1000)
	row("memory", "RSS mean %.1f, peak %.1f MiB (VmHWM %.1f); Go heap in use mean %.1f, peak %.1f, end %.1f MiB",
		r.RSSMean, r.MaxRSS, r.VmHWM, r.HeapMean, r.HeapPeak, r.HeapEnd)
	row("RSS at peak", "%.1f MiB sampled = %.1f mapped files (code) + %.1f Go runtime (mapped) + %.1f other (SQLite's allocator)",
		r.SampledRSS, r.PeakFile, r.PeakGo, r.PeakOther)
	row("database", "%d bytes for %d runs (store acknowledged %d) = %.0f bytes per run",
		r.DBBytes, r.DBRuns, r.RunsRecorded, r.DBBytesPerRun)
	row("database bytes", "%s", topTables(r.DBTables, 5))
	row("targets", "CPU ≤ %.2f ms per check run of %d requests: %s; RSS ≤ %.0f MiB: %s; no missed run: %s",
		cpuTarget(r.Probes), r.Probes, verdict(r.CPUPerCheck, cpuTarget(r.Probes)),
		rssTarget(r.Checks), verdict(r.MaxRSS, rssTarget(r.Checks)), missedVerdict(r.RunsMissed))
	tw.Flush()
}

// topTables lists the largest tables and indexes with their share of the
// pages, largest first.
func topTables(bytes map[string]int64, n int) string {
	names := slices.Collect(maps.Keys(bytes))
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(bytes[b], bytes[a]) })
	var total int64
	for _, v := range bytes {
		total += v
	}
	var parts []string
	for _, name := range names[:min(n, len(names))] {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", name, pct(bytes[name], total)))
	}
	return strings.Join(parts, ", ")
}
