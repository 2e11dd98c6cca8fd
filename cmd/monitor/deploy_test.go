package main

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrapeLabels are the labels Prometheus adds to every series it scrapes.
var scrapeLabels = []string{"job", "instance"}

// TestDeployFilesMatchMetrics loads the shipped Grafana dashboard and alert
// rules and checks that every metric and label they use is one a running
// monitor exports: a monitor process runs a TLS check, a check that fails
// and one that overruns its interval, and its /metrics is scraped.
func TestDeployFilesMatchMetrics(t *testing.T) {
	exported := scrapeRunningMonitor(t)
	t.Run("dashboard", func(t *testing.T) {
		for _, e := range dashboardExprs(t, filepath.Join("..", "..", "deploy", "grafana", "authmon.json")) {
			checkExpr(t, e, exported)
		}
	})
	t.Run("alert rules", func(t *testing.T) {
		for _, e := range ruleExprs(t, filepath.Join("..", "..", "deploy", "prometheus", "authmon-rules.yml")) {
			checkExpr(t, e, exported)
		}
	})
}

// checkExpr fails when expr reads a metric the monitor does not export, or
// matches a label that metric does not have.
func checkExpr(t *testing.T, expr string, exported map[string][]string) {
	t.Helper()
	sels, err := selectors(expr)
	if err != nil || len(sels) == 0 {
		t.Errorf("%s: no metric read (%v)", expr, err)
		return
	}
	for _, s := range sels {
		labels, ok := exported[s.metric]
		if s.metric == "up" { // made by Prometheus for each target
			labels, ok = nil, true
		}
		if !ok {
			t.Errorf("%s: the monitor exports no %s", expr, s.metric)
			continue
		}
		for _, l := range s.labels {
			if !slices.Contains(labels, l) && !slices.Contains(scrapeLabels, l) {
				t.Errorf("%s: %s has no label %q (it has %v)", expr, s.metric, l, labels)
			}
		}
	}
}

// scrapeRunningMonitor runs a monitor until its /metrics shows every kind
// of series, and returns each sample name with its labels.
func scrapeRunningMonitor(t *testing.T) map[string][]string {
	dir := t.TempDir()
	tg := newTLSTarget(t, dir)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(1500 * time.Millisecond)                   // outlasts the 1 s interval: the next slot is skipped
		fmt.Fprint(w, "protected data, no credentials asked") // an auth bypass
	}))
	t.Cleanup(slow.Close)
	cfg := filepath.Join(dir, "checks.toml")
	body := fmt.Sprintf(`[[check]]
name = "tls login"
url = %q
schedule = "@every 1s"
timeout = "2s"
[check.auth]
type = "basic"
username = "canary"
password = "${E2E_PASSWORD}"
[check.missing]
realm = "e2e"

[[check]]
name = "slow bypass"
url = %q
schedule = "@every 1s"
timeout = "3s"
`, tg.URL+"/me", slow.URL+"/orders")
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := startChild(t, filepath.Join(dir, "ca.pem"), "serve", "-config", cfg, "-db", filepath.Join(dir, "m.db"),
		"-listen", "127.0.0.1:0")
	var fams map[string]*dto.MetricFamily
	waitFor(t, "every kind of series on /metrics", func() bool {
		fams = scrapeURL(t, addr+"/metrics")
		return hasSeries(fams, "authmon_check_cert_expiry_seconds", "tls login") &&
			hasSeries(fams, "authmon_check_last_success_timestamp_seconds", "tls login") &&
			hasSeries(fams, "authmon_skipped_runs_total", "slow bypass") &&
			hasSeries(fams, "authmon_check_last_run_timestamp_seconds", "slow bypass") &&
			fams["authmon_assertion_failures_total"] != nil
	})
	expiry := fams["authmon_check_cert_expiry_seconds"].Metric[0].GetGauge().GetValue()
	if want := time.Until(tg.Certificate().NotAfter).Seconds(); expiry > want+120 || expiry < want-120 {
		t.Errorf("certificate expiry %.0f s, want about %.0f s", expiry, want)
	}
	return sampleLabels(fams)
}

// newTLSTarget is a Basic-protected HTTPS endpoint; its certificate goes to
// caFile for the monitor to trust.
func newTLSTarget(t *testing.T, dir string) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); ok && user == "canary" && pass == canaryPassword {
			fmt.Fprint(w, `{"user":"canary"}`)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="e2e"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv
}

// startChild runs `monitor args...` in a process of its own that trusts
// only caFile, stops it at the end of the test, and returns its dashboard's
// base URL.
func startChild(t *testing.T, caFile string, args ...string) string {
	t.Helper()
	logs := &syncBuffer{}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveChildEnv+"="+strings.Join(args, "\n"), "SSL_CERT_FILE="+caFile,
		"SSL_CERT_DIR="+filepath.Dir(caFile), "E2E_PASSWORD="+canaryPassword)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("monitor: %v\n%s", err, logs.String())
		}
	})
	var addr string
	waitFor(t, "the dashboard to listen", func() bool {
		if sm := listenRE.FindStringSubmatch(logs.String()); sm != nil {
			addr = sm[1]
		}
		return addr != ""
	})
	return addr
}

func scrapeURL(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

func hasSeries(fams map[string]*dto.MetricFamily, name, check string) bool {
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "check" && l.GetValue() == check {
				return true
			}
		}
	}
	return false
}

// sampleLabels maps every sample name PromQL can read (a histogram's
// _bucket, _sum and _count) to its labels.
func sampleLabels(fams map[string]*dto.MetricFamily) map[string][]string {
	out := map[string][]string{}
	for name, f := range fams {
		var labels []string
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(labels, l.GetName()) {
					labels = append(labels, l.GetName())
				}
			}
		}
		out[name] = labels
		if f.GetType() == dto.MetricType_HISTOGRAM || f.GetType() == dto.MetricType_SUMMARY {
			out[name+"_sum"], out[name+"_count"] = labels, labels
			out[name+"_bucket"] = append(slices.Clone(labels), "le")
		}
	}
	return out
}
