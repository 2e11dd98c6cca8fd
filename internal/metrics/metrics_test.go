package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/authmon/monitor/internal/checks"
)

// scrape fetches /metrics through the real handler and parses the text
// format as Prometheus would.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value finds the sample of a family with the given labels (name=value
// pairs) and returns its gauge or counter value, or a histogram's count.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no %s", name)
	}
	for _, m := range f.Metric {
		if matches(m, labels) {
			switch {
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	t.Fatalf("no %s%v", name, labels)
	return 0
}

func matches(m *dto.Metric, labels []string) bool {
	if len(m.Label) != len(labels)/2 {
		return false
	}
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.Label {
			found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
		}
		if !found {
			return false
		}
	}
	return true
}

func failedRun(check string) checks.Result {
	return checks.Result{Check: check, Started: time.Now(), Probes: []checks.ProbeResult{
		{Kind: checks.ProbeValid, Latency: 30 * time.Millisecond, Assertions: []checks.Assertion{{ID: "A2", Pass: true}}},
		{Kind: checks.ProbeMissing, Latency: 12 * time.Millisecond, Assertions: []checks.Assertion{
			{ID: "B1", Severity: checks.SevCritical, Pass: false}, {ID: "C2", Severity: checks.SevConf, Pass: true}}},
	}}
}

func TestScrape(t *testing.T) {
	src := Sources{
		Checks: func(context.Context) ([]CheckState, error) {
			return []CheckState{{Check: "login", State: "passing"}, {Check: "orders", State: "failing", Severity: checks.SevCritical},
				{Check: "new", State: "pending"}}, nil
		},
		QueueDepth: func(context.Context) (int, error) { return 3, nil },
	}
	m := New(src, "v1.2.3", nil)
	m.ObserveRun(failedRun("orders"))
	m.ObserveRun(checks.Result{Check: "login", Probes: []checks.ProbeResult{{Kind: checks.ProbeValid, Latency: time.Millisecond}}})
	m.ObserveLateness(20 * time.Millisecond)
	m.ObserveSkipped("orders", "still_running", 1)
	m.ObserveSkipped("orders", "still_running", 1)
	m.ObserveSkipped("login", "no_slot", 1)
	m.ObserveSkipped("removed", "still_running", 1) // no longer configured: dropped at the scrape
	m.ObserveDelivery("sent")
	m.ObserveDelivery("retry")
	m.ObserveDelivery("retry")
	m.ObserveStoreWrite(3*time.Millisecond, nil)
	m.ObserveStoreWrite(time.Second, errors.New("disk full"))

	fams := scrape(t, m)
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"authmon_check_state", []string{"check", "orders", "state", "failing"}, 1},
		{"authmon_check_state", []string{"check", "orders", "state", "passing"}, 0},
		{"authmon_check_state", []string{"check", "login", "state", "passing"}, 1},
		{"authmon_check_state", []string{"check", "new", "state", "pending"}, 1},
		{"authmon_check_severity", []string{"check", "orders"}, 5},
		{"authmon_check_severity", []string{"check", "login"}, 0},
		{"authmon_probe_duration_seconds", []string{"check", "orders", "probe", "missing"}, 1},
		{"authmon_probe_duration_seconds", []string{"check", "login", "probe", "valid"}, 1},
		{"authmon_assertion_failures_total", []string{"assertion", "B1", "severity", "critical-security"}, 1},
		{"authmon_runs_total", []string{"result", "failed"}, 1},
		{"authmon_runs_total", []string{"result", "passed"}, 1},
		{"authmon_runs_total", []string{"result", "skipped"}, 4},
		{"authmon_skipped_runs_total", []string{"check", "orders", "reason", "still_running"}, 2},
		{"authmon_skipped_runs_total", []string{"check", "login", "reason", "no_slot"}, 1},
		{"authmon_scheduler_lateness_seconds", nil, 1},
		{"authmon_alert_deliveries_total", []string{"outcome", "sent"}, 1},
		{"authmon_alert_deliveries_total", []string{"outcome", "retry"}, 2},
		{"authmon_alert_deliveries_total", []string{"outcome", "failed"}, 0},
		{"authmon_alert_queue_depth", nil, 3},
		{"authmon_store_write_duration_seconds", nil, 2},
		{"authmon_store_write_errors_total", nil, 1},
		{"authmon_build_info", []string{"version", "v1.2.3"}, 1},
	}
	for _, tt := range tests {
		if got := value(t, fams, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	// Collectors run concurrently: the series of a removed check are gone
	// from the scrape after the one that found it removed.
	if f := scrape(t, m)["authmon_skipped_runs_total"]; len(f.Metric) != 2 {
		t.Errorf("skipped runs of a check no longer configured kept: %d series", len(f.Metric))
	}
	if f := fams["authmon_assertion_failures_total"]; len(f.Metric) != 1 {
		t.Errorf("passing assertions counted: %d series", len(f.Metric))
	}
	h := fams["authmon_probe_duration_seconds"].Metric[0].Histogram
	if h.GetSampleSum() <= 0 || len(h.Bucket) == 0 {
		t.Errorf("probe histogram without sum or buckets: %v", h)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("no %s: the Go and process collectors are missing", name)
		}
	}
}

// TestMetricConventions runs Prometheus's own linter over every metric:
// units in names, _total on counters, help text.
func TestMetricConventions(t *testing.T) {
	m := New(Sources{Checks: func(context.Context) ([]CheckState, error) { return []CheckState{{Check: "a", State: "passing"}}, nil },
		QueueDepth: func(context.Context) (int, error) { return 0, nil }}, "dev", nil)
	m.ObserveRun(failedRun("a"))
	m.ObserveLateness(time.Millisecond)
	m.ObserveStoreWrite(time.Millisecond, nil)
	problems, err := testutil.GatherAndLint(m.Gatherer())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "authmon_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
	fams, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if !strings.HasPrefix(f.GetName(), "authmon_") && !strings.HasPrefix(f.GetName(), "go_") &&
			!strings.HasPrefix(f.GetName(), "process_") && !strings.HasPrefix(f.GetName(), "promhttp_") {
			t.Errorf("metric %s outside the authmon_ namespace", f.GetName())
		}
	}
}

// TestRemovedCheckSeriesDropped: a check that is no longer configured loses
// its probe series at the next scrape, so labels stay bounded by the config.
func TestRemovedCheckSeriesDropped(t *testing.T) {
	configured := []CheckState{{Check: "old", State: "passing"}, {Check: "kept", State: "passing"}}
	m := New(Sources{Checks: func(context.Context) ([]CheckState, error) { return configured, nil }}, "dev", nil)
	m.ObserveRun(failedRun("old"))
	m.ObserveRun(failedRun("kept"))
	if n := probeSeries(t, m); n != 4 {
		t.Fatalf("%d probe series, want 4", n)
	}
	configured = configured[1:]
	fams := scrape(t, m)
	for _, s := range fams["authmon_check_state"].Metric {
		if matches(s, []string{"check", "old", "state", "passing"}) {
			t.Error("the removed check still has a state")
		}
	}
	if n := probeSeries(t, m); n != 2 {
		t.Errorf("%d probe series after the scrape, want 2 (the kept check's)", n)
	}
}

// probeSeries counts the probe duration series m holds.
func probeSeries(t *testing.T, m *Metrics) int {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.series {
		n += len(s.probes)
	}
	return n
}

// TestScrapeSurvivesSourceError: a store that fails loses its own metrics
// for that scrape, not the whole page.
func TestScrapeSurvivesSourceError(t *testing.T) {
	m := New(Sources{
		Checks:     func(context.Context) ([]CheckState, error) { return nil, errors.New("database is locked") },
		QueueDepth: func(context.Context) (int, error) { return 0, errors.New("database is locked") },
	}, "dev", nil)
	fams := scrape(t, m)
	if _, ok := fams["authmon_runs_total"]; !ok {
		t.Error("the other metrics are gone too")
	}
	if _, ok := fams["authmon_check_state"]; ok {
		t.Error("states served from a failed read")
	}
}
