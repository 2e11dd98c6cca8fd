package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/authmon/monitor/internal/checks"
)

// Per-check times. One series per configured check each, and none for a
// check that has not run (or, for the certificate, reached no TLS server):
// at thousands of checks, /metrics stays a few lines per check.
var (
	lastRunDesc = prometheus.NewDesc(namespace+"_check_last_run_timestamp_seconds",
		"When a check's latest run started, in unix seconds.", []string{"check"}, nil)
	lastSuccessDesc = prometheus.NewDesc(namespace+"_check_last_success_timestamp_seconds",
		"When a check's latest passing run started, in unix seconds; absent until one passes (after a restart, until the stored latest run passed or one passes).",
		[]string{"check"}, nil)
	certExpiryDesc = prometheus.NewDesc(namespace+"_check_cert_expiry_seconds",
		"Seconds until the TLS leaf certificate a check's target presented expires (negative once expired); the earliest of the run's probes, kept from the latest run that completed a handshake.",
		[]string{"check"}, nil)
	reloadOKDesc = prometheus.NewDesc(namespace+"_config_last_reload_successful",
		"1 when the latest config load (at start or on SIGHUP) succeeded, 0 when it was refused and the previous config still runs.", nil, nil)
	reloadTimeDesc = prometheus.NewDesc(namespace+"_config_last_reload_success_timestamp_seconds",
		"When the config was last loaded successfully, in unix seconds.", nil, nil)
)

// checkTimes is what a check's runs since the start told.
type checkTimes struct {
	lastRun, lastSuccess, certNotAfter time.Time
}

// noteRun keeps res's times for its check.
func (m *Metrics) noteRun(res checks.Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.times[res.Check]
	t.lastRun = later(t.lastRun, res.Started)
	if res.Passed() {
		t.lastSuccess = later(t.lastSuccess, res.Started)
	}
	if na := earliestNotAfter(res.Probes); !na.IsZero() {
		t.certNotAfter = na
	}
	m.times[res.Check] = t
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

// collectTimes emits the times of the configured check st, the stored ones
// merged with those seen since the start.
func (s *scraped) collectTimes(ch chan<- prometheus.Metric, st CheckState, now time.Time) {
	s.m.mu.Lock()
	t := s.m.times[st.Check]
	s.m.mu.Unlock()
	if run := later(t.lastRun, st.LastRun); !run.IsZero() {
		ch <- prometheus.MustNewConstMetric(lastRunDesc, prometheus.GaugeValue, unixSeconds(run), st.Check)
	}
	if ok := later(t.lastSuccess, st.LastSuccess); !ok.IsZero() {
		ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue, unixSeconds(ok), st.Check)
	}
	if !t.certNotAfter.IsZero() {
		ch <- prometheus.MustNewConstMetric(certExpiryDesc, prometheus.GaugeValue, t.certNotAfter.Sub(now).Seconds(), st.Check)
	}
}

// collectReload emits the config load metrics.
func (s *scraped) collectReload(ch chan<- prometheus.Metric) {
	s.m.mu.Lock()
	ok, at := s.m.reloadOK, s.m.reloadAt
	s.m.mu.Unlock()
	v := 0.0
	if ok {
		v = 1
	}
	ch <- prometheus.MustNewConstMetric(reloadOKDesc, prometheus.GaugeValue, v)
	ch <- prometheus.MustNewConstMetric(reloadTimeDesc, prometheus.GaugeValue, unixSeconds(at))
}

// forget drops the times of a check that is no longer configured.
func (m *Metrics) forget(check string) {
	m.mu.Lock()
	delete(m.times, check)
	m.mu.Unlock()
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
