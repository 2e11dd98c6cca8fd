// Package metrics exposes the monitor's Prometheus metrics: check states,
// times and certificate expiry, probe durations, assertion failures, runs,
// scheduler lateness, alert deliveries, store writes and config loads. They live in their own registry, so nothing
// a library registers globally leaks onto /metrics. Every label is bounded:
// check names by the configured checks (series of removed checks are
// dropped at the next scrape), probe kinds, assertion ids and severities by
// the catalogue, outcomes by fixed lists.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"github.com/authmon/monitor/internal/checks"
)

const namespace = "authmon"

// scrapeTimeout bounds the store reads made while scraping.
const scrapeTimeout = 5 * time.Second

// CheckState is one configured check's state, read at scrape time.
type CheckState struct {
	Check string
	// State is "passing", "failing" or "pending" (no run yet).
	State string
	// Severity is the worst failure of the latest run.
	Severity checks.Severity
	// LastRun is when the stored latest run started; zero before one.
	LastRun time.Time
	// LastSuccess is LastRun when that run passed, else zero: the store
	// keeps no older success to read cheaply, and runs since the start
	// fill it in.
	LastSuccess time.Time
}

// States lists the state of every configured check.
var States = []string{"passing", "failing", "pending"}

// Sources are read at scrape time. Either may be nil.
type Sources struct {
	// Checks returns the state of every configured check.
	Checks func(ctx context.Context) ([]CheckState, error)
	// QueueDepth returns how many notifications wait for delivery.
	QueueDepth func(ctx context.Context) (int, error)
}

// Metrics is the monitor's instrumentation. The Observe methods are safe for
// concurrent use.
type Metrics struct {
	// reg holds every metric but the per-check ones, which are kept lean
	// in series and written straight to the response (see Handler); all
	// holds both, for the formats only the client library writes.
	reg         *prometheus.Registry
	all         prometheus.Gatherers
	failures    *prometheus.CounterVec
	runs        *prometheus.CounterVec
	skipped     *prometheus.CounterVec
	lateness    prometheus.Histogram
	deliveries  *prometheus.CounterVec
	storeWrite  prometheus.Histogram
	storeErrors prometheus.Counter
	log         *slog.Logger
	now         func() time.Time
	src         Sources

	mu sync.Mutex
	// series holds what runs told of each check (times, certificate,
	// probe durations), and marks the checks with skipped-run series, so
	// that those of a check no longer configured are dropped.
	series   map[string]*checkSeries
	reloadOK bool      // the latest config load succeeded
	reloadAt time.Time // the latest successful config load
}

// Run results and delivery outcomes: every value is exported from the
// first scrape on, at zero, so rate() works before the first event.
var (
	runResults       = []string{"passed", "failed", "skipped"}
	deliveryOutcomes = []string{"sent", "retry", "failed"}
)

// New returns the metrics, registered with the Go and process collectors.
func New(src Sources, version string, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log, now: time.Now, src: src, series: map[string]*checkSeries{}}
	m.ObserveReload(true) // the monitor starts only with a config that loads
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "assertion_failures_total",
		Help: "Failed assertions, by catalogue id and severity."}, []string{"assertion", "severity"})
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "runs_total",
		Help: "Check runs: passed, failed (an assertion failed), or skipped (the previous run still running, or no free slot in time)."}, []string{"result"})
	m.skipped = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "skipped_runs_total",
		Help: "Scheduled runs that did not happen, by check and reason: still_running (the previous run outlasted the interval) or no_slot (no free concurrency slot within the timeout)."},
		[]string{"check", "reason"})
	m.lateness = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "scheduler_lateness_seconds",
		Help:    "How late runs started after their scheduled slot, waiting for a free slot included.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "alert_deliveries_total",
		Help: "Alert delivery attempts (Slack or the log), by outcome: sent, retry (will be retried) or failed (gave up)."},
		[]string{"outcome"})
	m.storeWrite = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "store_write_duration_seconds",
		Help:    "Time to record a run durably (group commit wait included).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}})
	m.storeErrors = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "store_write_errors_total",
		Help: "Runs that could not be recorded."})
	for _, r := range runResults {
		m.runs.WithLabelValues(r)
	}
	for _, o := range deliveryOutcomes {
		m.deliveries.WithLabelValues(o)
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "build_info",
		Help: "The running monitor's version; always 1."}, []string{"version"})
	build.WithLabelValues(version).Set(1)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.failures, m.runs, m.skipped, m.lateness, m.deliveries, m.storeWrite, m.storeErrors, build, &scraped{m: m})
	perCheck := prometheus.NewPedanticRegistry()
	perCheck.MustRegister(&perCheckCollector{m: m})
	m.all = prometheus.Gatherers{m.reg, perCheck}
	return m
}

// Handler serves every metric in the Prometheus text format, streamed (see
// writeText), or in protobuf when asked, through the client library. A
// failing source is logged and its metrics left out; the rest is still
// served.
func (m *Metrics) Handler() http.Handler {
	full := promhttp.HandlerFor(m.all, promhttp.HandlerOpts{ErrorLog: errorLog{m.log},
		ErrorHandling: promhttp.ContinueOnError, Registry: m.reg, Timeout: 2 * scrapeTimeout})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := expfmt.NegotiateAccept(r.Header, expfmt.DefaultAcceptedFormats()...)
		if f.FormatType() != expfmt.TypeTextPlain {
			full.ServeHTTP(w, r)
			return
		}
		m.serveText(w, r, f)
	})
}

// Registry is the registry of every metric but the per-check ones, for
// extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Gatherer gathers every metric, the per-check ones included, as the client
// library's types: for tests and formats other than text.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.all }

// ObserveRun records a finished run: each probe's duration, each failed
// assertion, the run's result, and its check's times and certificate.
func (m *Metrics) ObserveRun(res checks.Result) {
	m.noteRun(res)
	for _, p := range res.Probes {
		for _, a := range p.Assertions {
			if !a.Pass {
				m.failures.WithLabelValues(a.ID, a.Severity.String()).Inc()
			}
		}
	}
	if res.Passed() {
		m.runs.WithLabelValues("passed").Inc()
	} else {
		m.runs.WithLabelValues("failed").Inc()
	}
}

// ObserveLateness implements scheduler.Observer.
func (m *Metrics) ObserveLateness(d time.Duration) { m.lateness.Observe(max(d, 0).Seconds()) }

// ObserveSkipped implements scheduler.Observer: a scheduled run that did not
// happen, and why.
func (m *Metrics) ObserveSkipped(check, reason string, n int) {
	m.mu.Lock()
	m.seriesOf(check) // dropped with the check's other series
	m.mu.Unlock()
	m.runs.WithLabelValues("skipped").Add(float64(n))
	m.skipped.WithLabelValues(check, reason).Add(float64(n))
}

// ObserveDelivery counts a delivery outcome (alert.Sender.OnOutcome).
func (m *Metrics) ObserveDelivery(outcome string) { m.deliveries.WithLabelValues(outcome).Inc() }

// ObserveStoreWrite records how long recording a run took, and whether it failed.
func (m *Metrics) ObserveStoreWrite(d time.Duration, err error) {
	m.storeWrite.Observe(d.Seconds())
	if err != nil {
		m.storeErrors.Inc()
	}
}

// errorLog adapts slog to promhttp's logger.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) { l.log.Warn("metrics: " + fmt.Sprint(v...)) }
