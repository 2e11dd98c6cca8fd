package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestCheckTimesAndCertExpiry: last run and last success per check, merged
// from the store and the runs seen; the certificate's remaining seconds
// from the latest run that reached TLS; no series for what is unknown, and
// none left for a removed check.
func TestCheckTimesAndCertExpiry(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	t1, t2 := now.Add(-2*time.Minute), now.Add(-time.Minute)
	stored := now.Add(-30 * time.Second) // a run recorded by another path than ObserveRun
	configured := []CheckState{{Check: "tls", State: "failing"}, {Check: "fresh", State: "pending"},
		{Check: "stored", State: "passing", LastRun: stored, LastSuccess: stored}, {Check: "gone", State: "passing"}}
	m := New(Sources{Checks: func(context.Context) ([]CheckState, error) { return configured, nil }}, "dev", nil)
	m.now = func() time.Time { return now }

	tls := func(notAfter time.Time) *checks.TLSInfo { return &checks.TLSInfo{NotAfter: notAfter} }
	m.ObserveRun(checks.Result{Check: "tls", Started: t1, Probes: []checks.ProbeResult{
		{Kind: checks.ProbeValid, TLS: tls(now.Add(10 * 24 * time.Hour))},
		{Kind: checks.ProbeMissing, TLS: tls(now.Add(3 * 24 * time.Hour))}}}) // passes: no assertion failed
	m.ObserveRun(failedRun("tls")) // at time.Now: later than t1, no TLS (the handshake did not happen)
	m.ObserveRun(checks.Result{Check: "gone", Started: t2})
	m.ObserveRun(checks.Result{Check: "stored", Started: t1})

	fams := scrape(t, m)
	last := value(t, fams, "authmon_check_last_run_timestamp_seconds", "check", "tls")
	if d := time.Since(time.UnixMilli(int64(last * 1000))); d < 0 || d > time.Minute {
		t.Errorf("last run of tls is %v ago, want the failed run's start", d)
	}
	tests := []struct {
		name, check string
		want        float64
	}{
		{"authmon_check_last_success_timestamp_seconds", "tls", float64(t1.Unix())},
		{"authmon_check_cert_expiry_seconds", "tls", (3 * 24 * time.Hour).Seconds()}, // the earliest, kept
		{"authmon_check_last_run_timestamp_seconds", "stored", float64(stored.Unix())},
		{"authmon_check_last_success_timestamp_seconds", "stored", float64(stored.Unix())},
		{"authmon_check_last_run_timestamp_seconds", "gone", float64(t2.Unix())},
	}
	for _, tt := range tests {
		if got := value(t, fams, tt.name, "check", tt.check); got != tt.want {
			t.Errorf("%s{check=%q} = %v, want %v", tt.name, tt.check, got, tt.want)
		}
	}
	for _, name := range []string{"authmon_check_last_run_timestamp_seconds", "authmon_check_last_success_timestamp_seconds",
		"authmon_check_cert_expiry_seconds"} {
		for _, s := range fams[name].Metric {
			if matches(s, []string{"check", "fresh"}) {
				t.Errorf("%s for a check that never ran", name)
			}
		}
	}
	if n := len(fams["authmon_check_cert_expiry_seconds"].Metric); n != 1 {
		t.Errorf("%d certificate series, want 1 (only tls reached a TLS server)", n)
	}

	configured = configured[:3]
	scrape(t, m)
	if f := scrape(t, m)["authmon_check_last_run_timestamp_seconds"]; len(f.Metric) != 2 {
		t.Errorf("%d last-run series after removing a check, want 2", len(f.Metric))
	}
	m.mu.Lock()
	_, kept := m.series["gone"]
	m.mu.Unlock()
	if kept {
		t.Error("the removed check's times are still held")
	}
}

// TestConfigReloadMetrics: a monitor starts with a good config; a refused
// reload sets the gauge to 0 and keeps the time of the last good one.
func TestConfigReloadMetrics(t *testing.T) {
	m := New(Sources{}, "dev", nil)
	started := value(t, scrape(t, m), "authmon_config_last_reload_success_timestamp_seconds")
	if d := time.Since(time.UnixMilli(int64(started * 1000))); d < 0 || d > time.Minute {
		t.Errorf("start time %v ago", d)
	}
	m.ObserveReload(false)
	fams := scrape(t, m)
	if v := value(t, fams, "authmon_config_last_reload_successful"); v != 0 {
		t.Errorf("after a refused reload: %v", v)
	}
	if v := value(t, fams, "authmon_config_last_reload_success_timestamp_seconds"); v != started {
		t.Errorf("the refused reload moved the success time: %v, was %v", v, started)
	}
	m.ObserveReload(true)
	if v := value(t, scrape(t, m), "authmon_config_last_reload_successful"); v != 1 {
		t.Errorf("after a good reload: %v", v)
	}
}
