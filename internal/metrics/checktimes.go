package metrics

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// Per-check series. One series per configured check each, and none for a
// check that has not run (or, for the certificate, reached no TLS server):
// at thousands of checks, /metrics stays a few lines per check. They are
// kept in checkSeries rather than in the client library's vectors, and
// written straight to the response (see writeText): a scrape at 10,000
// checks then builds nothing per series.
var (
	stateFamily = family{namespace + "_check_state", "gauge",
		"1 for the state each configured check is in (passing, failing, or pending before its first run), 0 for the others."}
	severityFamily = family{namespace + "_check_severity", "gauge",
		"Worst severity failing in a check's latest run: 0 none, 1 warning, 2 conformance, 3 availability, 4 high-security, 5 critical-security."}
	lastRunFamily = family{namespace + "_check_last_run_timestamp_seconds", "gauge",
		"When a check's latest run started, in unix seconds."}
	lastSuccessFamily = family{namespace + "_check_last_success_timestamp_seconds", "gauge",
		"When a check's latest passing run started, in unix seconds; absent until one passes (after a restart, until the stored latest run passed or one passes)."}
	certExpiryFamily = family{namespace + "_check_cert_expiry_seconds", "gauge",
		"Seconds until the TLS leaf certificate a check's target presented expires (negative once expired); the earliest of the run's probes, kept from the latest run that completed a handshake."}
	probeFamily = family{namespace + "_probe_duration_seconds", "histogram",
		"Time from sending a probe's request to reading its answer (or failing), by check and probe kind."}
)

// probeBuckets are the upper bounds of the probe duration histogram.
var probeBuckets = [...]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// checkSeries is what a check's runs since the start told.
type checkSeries struct {
	lastRun, lastSuccess, certNotAfter time.Time
	probes                             []probeHist // sorted by kind
}

// probeHist is one probe kind's duration histogram: about 130 bytes, where
// a client library histogram with its labels takes several times that.
type probeHist struct {
	kind   checks.ProbeKind
	counts [len(probeBuckets)]uint64 // per bucket, not cumulative; the rest is above the last bound
	count  uint64
	sum    float64
}

// observe adds a duration of v seconds to the kind's histogram.
func (s *checkSeries) observe(kind checks.ProbeKind, v float64) {
	i, found := slices.BinarySearchFunc(s.probes, kind, func(h probeHist, k checks.ProbeKind) int { return strings.Compare(string(h.kind), string(k)) })
	if !found {
		s.probes = slices.Insert(s.probes, i, probeHist{kind: kind})
	}
	h := &s.probes[i]
	if b := sort.SearchFloat64s(probeBuckets[:], v); b < len(probeBuckets) { // the first bound ≥ v: le
		h.counts[b]++
	}
	h.count++
	h.sum += v
}

// seriesOf returns check's series, made if new. m.mu must be held.
func (m *Metrics) seriesOf(check string) *checkSeries {
	s := m.series[check]
	if s == nil {
		s = &checkSeries{}
		m.series[check] = s
	}
	return s
}

// noteRun keeps res's times, certificate and probe durations for its check.
func (m *Metrics) noteRun(res checks.Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.seriesOf(res.Check)
	t.lastRun = later(t.lastRun, res.Started)
	if res.Passed() {
		t.lastSuccess = later(t.lastSuccess, res.Started)
	}
	if na := earliestNotAfter(res.Probes); !na.IsZero() {
		t.certNotAfter = na
	}
	for _, p := range res.Probes {
		t.observe(p.Kind, p.Latency.Seconds())
	}
}

// earliestNotAfter is the soonest expiry among the leaf certificates the
// probes saw (several probes may reach several hosts), zero if none.
func earliestNotAfter(probes []checks.ProbeResult) time.Time {
	var na time.Time
	for _, p := range probes {
		if p.TLS != nil && !p.TLS.NotAfter.IsZero() && (na.IsZero() || p.TLS.NotAfter.Before(na)) {
			na = p.TLS.NotAfter
		}
	}
	return na
}

// ObserveReload records the outcome of loading the config: at start (done
// by New) and on each SIGHUP.
func (m *Metrics) ObserveReload(ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reloadOK = ok
	if ok {
		m.reloadAt = m.now()
	}
}

// snapshot copies check's series (its probes into buf) to read without the
// lock; the zero value if the check has none.
func (m *Metrics) snapshot(check string, buf []probeHist) checkSeries {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.series[check]
	if s == nil {
		return checkSeries{}
	}
	c := *s
	c.probes = append(buf[:0], s.probes...)
	return c
}

// times copies check's times, without its probes.
func (m *Metrics) times(check string) checkSeries {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.series[check]; s != nil {
		return checkSeries{lastRun: s.lastRun, lastSuccess: s.lastSuccess, certNotAfter: s.certNotAfter}
	}
	return checkSeries{}
}

// prune drops the series of the checks not in configured (sorted): their
// times, probe durations and skipped runs.
func (m *Metrics) prune(configured []string) {
	var gone []string
	m.mu.Lock()
	for name := range m.series {
		if _, ok := slices.BinarySearch(configured, name); !ok {
			gone = append(gone, name)
			delete(m.series, name)
		}
	}
	m.mu.Unlock()
	for _, name := range gone {
		m.skipped.DeletePartialMatch(map[string]string{"check": name})
	}
}

// seriesNames lists the checks with series, sorted.
func (m *Metrics) seriesNames() []string {
	m.mu.Lock()
	names := make([]string, 0, len(m.series))
	for name := range m.series {
		names = append(names, name)
	}
	m.mu.Unlock()
	slices.Sort(names)
	return names
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
