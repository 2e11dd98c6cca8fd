package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// A serve load test (-serve BIN) measures the monitor as a user runs it:
// one real `monitor serve` process on a SQLite file and a generated config,
// from its exec to its stop. Everything is read from outside: /proc for CPU
// and memory, /healthz for the start, /metrics (scraped once the window is
// over) for the heap, lateness and the cost of a scrape, and the database
// file, once the process stopped, for the runs.

// serveReport is what a serve load test measured; sizes in MiB, times in
// ms unless the name says otherwise.
type serveReport struct {
	Checks         int     `json:"checks"`
	Probes         int     `json:"probes"`
	IntervalS      float64 `json:"interval_s"`
	TargetHosts    int     `json:"target_hosts"`
	WindowS        float64 `json:"window_s"`
	HealthzS       float64 `json:"healthz_s"`
	FirstRunChecks int     `json:"first_run_checks"`
	FirstRunAllS   float64 `json:"first_run_all_s"`
	RunsExpected   int64   `json:"runs_expected"`
	RunsExecuted   int64   `json:"runs_executed"`
	RunsMissed     int64   `json:"runs_missed"`
	RunsFailed     int64   `json:"runs_failed"`
	Requests       int64   `json:"http_requests"`
	CPUSeconds     float64 `json:"cpu_s"`
	CPUPerCheck    float64 `json:"cpu_ms_per_check_run"`
	CPUPerRequest  float64 `json:"cpu_ms_per_request"`
	RSSMean        float64 `json:"rss_mean_mib"`
	RSSPeak        float64 `json:"rss_peak_mib"`
	HeapInuse      float64 `json:"heap_inuse_end_mib"`
	LatenessP50    float64 `json:"lateness_p50_le_ms"`
	LatenessP99    float64 `json:"lateness_p99_le_ms"`
	MetricsBytes   int64   `json:"metrics_bytes"`
	ScrapeRSS      float64 `json:"scrape_rss_added_mib"`
	ScrapePeak     float64 `json:"scrape_peak_rss_added_mib"`
	scrapedRSS     float64 // RSS right after the scrapes
	DBBytes        int64   `json:"db_bytes"`
	DBRuns         int64   `json:"db_runs"`
	DBBytesPerRun  float64 `json:"db_bytes_per_run"`
	TargetCPUPer   float64 `json:"target_cpu_ms_per_request"`
	GoVersion      string  `json:"go_version"`
	CPUs           int     `json:"cpus"`
	LoadAvg        float64 `json:"loadavg_1m"`
}

// serveTest runs one serve load test.
func serveTest(ctx context.Context, o options, stderr io.Writer) (rep *serveReport, err error) {
	tgt, err := startTarget(o.hosts, o.duration+3*time.Minute)
	if err != nil {
		return nil, err
	}
	defer func() {
		cpu := tgt.stop()
		if rep != nil && rep.DBRuns > 0 {
			rep.TargetCPUPer = round3(cpu.Seconds() * 1000 / float64(rep.DBRuns*int64(o.probes)))
		}
	}()
	dir, err := os.MkdirTemp("", "authmon-serveload-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfgPath, dbPath := filepath.Join(dir, "load.toml"), filepath.Join(dir, "load.db")
	if err := os.WriteFile(cfgPath, []byte(fleetConfig(o, tgt.addrs)), 0o600); err != nil {
		return nil, err
	}
	begin := time.Now()
	in, addr, err := startMonitor(o.serve, "monitor", dir, []string{"serve", "-config", cfgPath, "-db", dbPath, "-listen", "127.0.0.1:0"})
	if in != nil {
		defer func() {
			if serr := in.stop(); serr != nil && err == nil {
				err = serr
			}
		}()
	}
	if err != nil {
		return nil, err
	}
	ready, err := awaitHealthz(ctx, addr, in)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "loadtest: /healthz answered %.2f s after the start\n", ready.Sub(begin).Seconds())
	win := planWindow(ready, o.interval, o.duration)
	r := &serveReport{Checks: o.checks, Probes: o.probes, IntervalS: o.interval.Seconds(), TargetHosts: o.hosts,
		WindowS: win.end.Sub(win.start).Seconds(), HealthzS: round2(ready.Sub(begin).Seconds())}
	pid := in.cmd.Process.Pid
	mem := sampleProc(pid, win)
	if err := r.window(ctx, pid, win, addr); err != nil {
		mem.finish()
		return nil, err
	}
	var inWin, after float64
	r.RSSMean, r.RSSPeak, inWin, after = mem.finish()
	// The RSS right after the scrapes can sit above the window's end only
	// because the heap was growing to its next collection then; what a
	// scrape costs a memory budget is how far it lifts the peak of the
	// steady state (the window's: start-up's is higher).
	r.ScrapePeak = round2(max(0, max(after, r.scrapedRSS)-inWin))
	sleepUntil(ctx, win.end.Add(drainTime(o.interval)))
	if err := in.stop(); err != nil {
		return nil, err
	}
	if err := r.readRuns(ctx, o, dbPath, win, begin); err != nil {
		return nil, err
	}
	r.GoVersion, r.CPUs, r.LoadAvg = runtime.Version(), runtime.NumCPU(), loadAvg()
	return r, nil
}

// awaitHealthz asks /healthz every 10 ms until it answers 200, for at most
// two minutes, and returns when it did.
func awaitHealthz(ctx context.Context, addr string, in *fleetInstance) (time.Time, error) {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(addr + "/healthz"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		if !in.alive() {
			return time.Time{}, fmt.Errorf("the monitor exited: %v", in.waitErr)
		}
		if !sleepUntil(ctx, time.Now().Add(10*time.Millisecond)) {
			return time.Time{}, errInterrupted
		}
	}
	return time.Time{}, fmt.Errorf("%s/healthz did not answer 200 within 2 minutes", addr)
}

// window waits out the window, reading the process's CPU at its edges,
// then scrapes /metrics twice and measures what that added to its RSS.
func (r *serveReport) window(ctx context.Context, pid int, win window, addr string) error {
	if !sleepUntil(ctx, win.start) {
		return errInterrupted
	}
	before, err := readProc(pid)
	if err != nil {
		return err
	}
	if !sleepUntil(ctx, win.end) {
		return errInterrupted
	}
	after, err := readProc(pid)
	if err != nil {
		return err
	}
	r.CPUSeconds = round2((after.cpu - before.cpu).Seconds())
	var body []byte
	for range 2 {
		if body, err = scrape(addr + "/metrics"); err != nil {
			return err
		}
	}
	time.Sleep(200 * time.Millisecond)
	scraped, err := readProc(pid)
	if err != nil {
		return err
	}
	r.MetricsBytes = int64(len(body))
	r.ScrapeRSS = mibOf(max(scraped.rss-after.rss, 0))
	r.scrapedRSS = mibOf(scraped.rss)
	m := parseMetrics(body)
	r.HeapInuse = mibOf(int64(m.heapInuse))
	r.LatenessP50, r.LatenessP99 = m.lateness.quantile(0.5)*1000, m.lateness.quantile(0.99)*1000
	return nil
}

// scrape reads a /metrics page.
func scrape(u string) ([]byte, error) {
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(u)
	if err != nil {
		return nil, fmt.Errorf("scrape: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s", resp.Status)
	}
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", u, err)
	}
	return b, nil
}

// metricFacts are the figures the report takes from a scrape.
type metricFacts struct {
	heapInuse float64
	lateness  buckets
}

// buckets is a Prometheus histogram: upper bounds (s) and cumulative counts.
type buckets []struct{ le, n float64 }

// quantile returns the upper bound of the bucket that holds quantile q (the
// histogram's resolution), or +Inf past the last bound.
func (b buckets) quantile(q float64) float64 {
	if len(b) == 0 || b[len(b)-1].n == 0 {
		return 0
	}
	want := q * b[len(b)-1].n
	for _, x := range b {
		if x.n >= want {
			return x.le
		}
	}
	return math.Inf(1)
}

// parseMetrics reads the Go heap in use and the scheduler's lateness
// histogram from a text exposition.
func parseMetrics(body []byte) metricFacts {
	var m metricFacts
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	const bucket = `authmon_scheduler_lateness_seconds_bucket{le="`
	for sc.Scan() {
		line := sc.Text()
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		switch {
		case name == "go_memstats_heap_inuse_bytes":
			m.heapInuse = v
		case strings.HasPrefix(name, bucket):
			le, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(name, bucket), `"}`), 64)
			if err == nil {
				m.lateness = append(m.lateness, struct{ le, n float64 }{le, v})
			}
		}
	}
	sort.Slice(m.lateness, func(i, j int) bool { return m.lateness[i].le < m.lateness[j].le })
	return m
}

// readRuns reads the runs from the database file once the monitor stopped:
// the window's slots with a run, each check's first run, the bytes per run.
func (r *serveReport) readRuns(ctx context.Context, o options, dbPath string, win window, begin time.Time) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: dbPath}).EscapedPath()+"?mode=ro")
	if err != nil {
		return fmt.Errorf("read db: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT n.name, r.started_ms, r.passed, r.repeats, r.last_ms
		FROM runs r JOIN check_names n ON n.id = r.check_id ORDER BY r.started_ms`)
	if err != nil {
		return fmt.Errorf("read db: %w", err)
	}
	defer rows.Close()
	slots := newSlotCounter(win, o.interval, o.checks)
	for rows.Next() {
		var name string
		var ms, repeats, last int64
		var passed bool
		if err := rows.Scan(&name, &ms, &passed, &repeats, &last); err != nil {
			return fmt.Errorf("read db: %w", err)
		}
		// A row of folded runs keeps their number and span, not each
		// start: spread evenly over the span, they fill as many slots as
		// there were runs, so a missed slot still shows as one run short.
		for k := range repeats + 1 {
			at := ms
			if repeats > 0 {
				at += (last - ms) * k / repeats
			}
			slots.addRun(name, time.UnixMilli(at), passed)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read db: %w", err)
	}
	r.DBRuns, r.RunsExecuted, r.RunsFailed = slots.counts()
	r.RunsExpected = int64(o.checks) * int64(win.end.Sub(win.start)/o.interval)
	r.RunsMissed = max(0, r.RunsExpected-r.RunsExecuted)
	r.Requests = r.RunsExecuted * int64(o.probes)
	if r.RunsExecuted > 0 {
		r.CPUPerCheck = round3(r.CPUSeconds * 1000 / float64(r.RunsExecuted))
		r.CPUPerRequest = round3(r.CPUSeconds * 1000 / float64(r.Requests))
	}
	ran, last := slots.firstRuns()
	r.FirstRunChecks = ran
	if ran > 0 {
		r.FirstRunAllS = round2(last.Sub(begin).Seconds())
	}
	if r.DBBytes, err = dbSize(dbPath); err != nil {
		return err
	}
	if r.DBRuns > 0 {
		r.DBBytesPerRun = math.Round(float64(r.DBBytes) / float64(r.DBRuns))
	}
	return nil
}

// procSampler reads another process's RSS four times a second.
type procSampler struct {
	mu     sync.Mutex
	sum, n int64
	peak   int64 // up to the window's end
	inWin  int64 // the peak inside the window, past start-up and warm-up
	after  int64 // the peak after it: the scrapes
	stop   context.CancelFunc
	done   chan struct{}
}

// sampleProc samples pid until finish; the mean is over the window.
func sampleProc(pid int, win window) *procSampler {
	ctx, cancel := context.WithCancel(context.Background())
	p := &procSampler{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if st, err := readProc(pid); err == nil {
				p.mu.Lock()
				now := time.Now()
				if now.Before(win.end) { // not the scrapes after it
					p.peak = max(p.peak, st.rss)
				} else {
					p.after = max(p.after, st.rss)
				}
				if win.contains(now) {
					p.sum += st.rss
					p.n++
					p.inWin = max(p.inWin, st.rss)
				}
				p.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// finish stops sampling and returns, in MiB, the window's mean, the peak
// up to the window's end, the peak inside the window and the peak after it.
func (p *procSampler) finish() (mean, peak, inWin, after float64) {
	p.stop()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n > 0 {
		mean = mibOf(p.sum / p.n)
	}
	return mean, mibOf(p.peak), mibOf(p.inWin), mibOf(p.after)
}

// failure says why the run counts as failed, or "" when it does not.
func (r *serveReport) failure() string {
	if r.RunsExpected == 0 {
		return "the window held no interval: raise -duration"
	}
	return runsVerdict(r.RunsExpected, r.RunsExecuted, r.RunsMissed, r.RunsFailed, "", "")
}

// writeTable prints the report for a person.
func (r *serveReport) writeTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("load", "monitor serve, %d checks × @every %gs, %d probes each, %d target hosts, SQLite",
		r.Checks, r.IntervalS, r.Probes, r.TargetHosts)
	row("machine", "%s, %d CPUs, load average %.2f at the end", r.GoVersion, r.CPUs, r.LoadAvg)
	row("start", "/healthz answered %.2f s after exec; %d of %d checks ran, the last first ran %.2f s after exec",
		r.HealthzS, r.FirstRunChecks, r.Checks, r.FirstRunAllS)
	row("window", "%gs after the warm-up", r.WindowS)
	row("runs", "%d executed / %d expected, %d missed (%.2f%%), %d failed",
		r.RunsExecuted, r.RunsExpected, r.RunsMissed, pct(r.RunsMissed, r.RunsExpected), r.RunsFailed)
	row("start lateness", "p50 ≤ %g ms, p99 ≤ %g ms (the histogram's buckets, since the start)", r.LatenessP50, r.LatenessP99)
	row("CPU", "%.2f s for %d runs, %d requests = %.3f ms per check run, %.3f ms per request (target: %.3f ms per request)",
		r.CPUSeconds, r.RunsExecuted, r.Requests, r.CPUPerCheck, r.CPUPerRequest, r.TargetCPUPer)
	row("memory", "RSS mean %.1f, peak %.1f MiB; Go heap in use %.1f MiB at the end", r.RSSMean, r.RSSPeak, r.HeapInuse)
	row("/metrics", "%d bytes; two scrapes lifted the peak RSS by %.1f MiB (RSS right after them: %.1f MiB above the window's end)",
		r.MetricsBytes, r.ScrapePeak, r.ScrapeRSS)
	row("database", "%d bytes for %d runs = %.0f bytes per run", r.DBBytes, r.DBRuns, r.DBBytesPerRun)
	row("targets", "CPU ≤ %.2f ms per check run of %d requests: %s; RSS ≤ %.0f MiB: %s; /healthz < 2 s: %s; no missed run: %s",
		cpuTarget(r.Probes), r.Probes, verdict(r.CPUPerCheck, cpuTarget(r.Probes)),
		rssTarget(r.Checks), verdict(r.RSSPeak, rssTarget(r.Checks)), verdict(r.HealthzS, 2), missedVerdict(r.RunsMissed))
	tw.Flush()
}
