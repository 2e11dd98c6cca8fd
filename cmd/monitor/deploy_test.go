package main

import (
	"encoding/json"
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
	"go.yaml.in/yaml/v3"
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

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Title         string  `json:"title"`
	UID           string  `json:"uid"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	GridPos    *struct{ H, W int }
	Targets    []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

// dashboardExprs parses the dashboard, checks what Grafana needs to import
// it, and returns every PromQL expression in it.
func dashboardExprs(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if d.Title == "" || d.UID == "" || d.SchemaVersion == 0 || len(d.Panels) == 0 {
		t.Errorf("%s: title %q, uid %q, schemaVersion %d, %d panels", path, d.Title, d.UID, d.SchemaVersion, len(d.Panels))
	}
	var exprs []string
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(map[string]any); ok && v.Type == "query" {
			exprs = append(exprs, labelValuesMetric(t, fmt.Sprint(q["query"])))
		}
	}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Title == "" || p.GridPos == nil || !strings.Contains(string(p.Datasource), "${datasource}") || len(p.Targets) == 0 {
				t.Errorf("panel %q: needs a title, a gridPos, the ${datasource} variable and a query", p.Title)
			}
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	walk(d.Panels)
	return exprs
}

// labelValuesMetric returns the selector of a label_values(selector, label)
// variable query.
func labelValuesMetric(t *testing.T, q string) string {
	sel, ok := strings.CutPrefix(q, "label_values(")
	i := strings.LastIndex(sel, ",")
	if !ok || i < 0 {
		t.Errorf("variable query %q: want label_values(metric, label)", q)
		return q
	}
	return sel[:i]
}

// rules is an alerting rules file.
type rules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// ruleExprs parses the rules file strictly, checks that every rule has
// what an on-call engineer needs, and returns every expression.
func ruleExprs(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var r rules
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var exprs, names []string
	for _, g := range r.Groups {
		for _, rule := range g.Rules {
			_, durErr := model.ParseDuration(rule.For)
			if rule.Alert == "" || rule.Expr == "" || durErr != nil || rule.Annotations["summary"] == "" ||
				!slices.Contains([]string{"critical", "warning", "info"}, rule.Labels["severity"]) {
				t.Errorf("%s: rule %q needs alert, expr, for (%v), labels.severity and annotations.summary", path, rule.Alert, durErr)
			}
			exprs, names = append(exprs, rule.Expr), append(names, rule.Alert)
		}
	}
	for _, want := range []string{"AuthmonDown", "AuthmonNotScraped", "AuthmonCheckFailingSecurity", "AuthmonAlertDeliveriesFailing",
		"AuthmonAlertQueueGrowing", "AuthmonSkippedRuns", "AuthmonSchedulerLate", "AuthmonCertExpiringSoon", "AuthmonConfigReloadFailed"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s: no %s alert", path, want)
		}
	}
	return exprs
}
