package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	stateDesc = prometheus.NewDesc(namespace+"_check_state",
		"1 for the state each configured check is in (passing, failing, or pending before its first run), 0 for the others.",
		[]string{"check", "state"}, nil)
	severityDesc = prometheus.NewDesc(namespace+"_check_severity",
		"Worst severity failing in a check's latest run: 0 none, 1 warning, 2 conformance, 3 availability, 4 high-security, 5 critical-security.",
		[]string{"check"}, nil)
	queueDesc = prometheus.NewDesc(namespace+"_alert_queue_depth",
		"Notifications waiting for delivery (queued or being retried).", nil, nil)
)

// scraped reads the store when Prometheus scrapes: states and the alert
// queue are facts of the database, not events, and reading them then keeps
// them right across restarts and reloads.
type scraped struct {
	src Sources
	m   *Metrics
}

func (s *scraped) Describe(ch chan<- *prometheus.Desc) {
	ch <- stateDesc
	ch <- severityDesc
	ch <- queueDesc
	ch <- lastRunDesc
	ch <- lastSuccessDesc
	ch <- certExpiryDesc
	ch <- reloadOKDesc
	ch <- reloadTimeDesc
}

func (s *scraped) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	s.collectReload(ch)
	if s.src.Checks != nil {
		s.collectStates(ctx, ch)
	}
	if s.src.QueueDepth != nil {
		n, err := s.src.QueueDepth(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(queueDesc, err)
		} else {
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n))
		}
	}
}

// collectStates emits every configured check's state and drops the probe
// series of checks that are no longer configured.
func (s *scraped) collectStates(ctx context.Context, ch chan<- prometheus.Metric) {
	states, err := s.src.Checks(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(stateDesc, err)
		return
	}
	configured := make(map[string]bool, len(states))
	now := s.m.now()
	for _, st := range states {
		configured[st.Check] = true
		for _, name := range States {
			v := 0.0
			if name == st.State {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(stateDesc, prometheus.GaugeValue, v, st.Check, name)
		}
		ch <- prometheus.MustNewConstMetric(severityDesc, prometheus.GaugeValue, float64(st.Severity), st.Check)
		s.collectTimes(ch, st, now)
	}
	s.m.probed.Range(func(k, _ any) bool {
		if name := k.(string); !configured[name] {
			s.m.probe.DeletePartialMatch(prometheus.Labels{"check": name})
			s.m.skipped.DeletePartialMatch(prometheus.Labels{"check": name})
			s.m.probed.Delete(name)
			s.m.forget(name)
		}
		return true
	})
}
