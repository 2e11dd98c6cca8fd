package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	queueDesc = prometheus.NewDesc(namespace+"_alert_queue_depth",
		"Notifications waiting for delivery (queued or being retried).", nil, nil)
	reloadOKDesc = prometheus.NewDesc(namespace+"_config_last_reload_successful",
		"1 when the latest config load (at start or on SIGHUP) succeeded, 0 when it was refused and the previous config still runs.", nil, nil)
	reloadTimeDesc = prometheus.NewDesc(namespace+"_config_last_reload_success_timestamp_seconds",
		"When the config was last loaded successfully, in unix seconds.", nil, nil)
)

// scraped reads the alert queue when Prometheus scrapes (a fact of the
// database, not an event: reading it then keeps it right across restarts),
// and the config load metrics.
type scraped struct{ m *Metrics }

func (s *scraped) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDesc
	ch <- reloadOKDesc
	ch <- reloadTimeDesc
}

func (s *scraped) Collect(ch chan<- prometheus.Metric) {
	s.collectReload(ch)
	if s.m.src.QueueDepth == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	n, err := s.m.src.QueueDepth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n))
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

// perCheckCollector offers the per-check series as the client library's
// metrics, for the formats writeText does not write. It builds every series
// of every check per scrape: the text format does not.
type perCheckCollector struct{ m *Metrics }

func (c *perCheckCollector) descs() []*prometheus.Desc {
	labels := map[family][]string{stateFamily: {"check", "state"}, probeFamily: {"check", "probe"}}
	var out []*prometheus.Desc
	for _, f := range []family{stateFamily, severityFamily, lastRunFamily, lastSuccessFamily, certExpiryFamily, probeFamily} {
		l := labels[f]
		if l == nil {
			l = []string{"check"}
		}
		out = append(out, prometheus.NewDesc(f.name, f.help, l, nil))
	}
	return out
}

func (c *perCheckCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs() {
		ch <- d
	}
}

func (c *perCheckCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	d := c.descs()
	state, severity, lastRun, lastSuccess, certExpiry, probe := d[0], d[1], d[2], d[3], d[4], d[5]
	v := c.m.view(ctx)
	if v.err != nil {
		ch <- prometheus.NewInvalidMetric(state, v.err)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, st := range v.states {
		for _, name := range States {
			val := 0.0
			if name == st.State {
				val = 1
			}
			gauge(state, val, st.Check, name)
		}
		gauge(severity, float64(st.Severity), st.Check)
	}
	c.m.eachTimes(v, func(st CheckState, s checkSeries) {
		if !s.lastRun.IsZero() {
			gauge(lastRun, unixSeconds(s.lastRun), st.Check)
		}
		if !s.lastSuccess.IsZero() {
			gauge(lastSuccess, unixSeconds(s.lastSuccess), st.Check)
		}
		if !s.certNotAfter.IsZero() {
			gauge(certExpiry, s.certNotAfter.Sub(v.now).Seconds(), st.Check)
		}
	})
	for _, name := range v.names {
		for _, h := range c.m.snapshot(name, nil).probes {
			buckets := make(map[float64]uint64, len(probeBuckets))
			var cum uint64
			for i, n := range h.counts {
				cum += n
				buckets[probeBuckets[i]] = cum
			}
			ch <- prometheus.MustNewConstHistogram(probe, h.count, h.sum, buckets, name, string(h.kind))
		}
	}
}
