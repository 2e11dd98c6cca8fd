package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/authmon/monitor/internal/checks"
)

// smallMetrics is a monitor with a few checks that ran, failed, reached TLS,
// skipped runs, and one whose name needs escaping.
func smallMetrics() *Metrics {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	odd := "we\"ird\\name\n"
	src := Sources{
		Checks: func(context.Context) ([]CheckState, error) {
			return []CheckState{{Check: "login", State: "passing", LastRun: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute)},
				{Check: "orders", State: "failing", Severity: checks.SevCritical}, {Check: "new", State: "pending"},
				{Check: odd, State: "failing", Severity: checks.SevWarn}}, nil
		},
		QueueDepth: func(context.Context) (int, error) { return 3, nil },
	}
	m := New(src, "v1.2.3", nil)
	m.now = func() time.Time { return now }
	r := failedRun("orders")
	r.Started = now.Add(-90 * time.Second)
	r.Probes[0].TLS = &checks.TLSInfo{NotAfter: now.Add(49 * time.Hour)}
	m.ObserveRun(r)
	m.ObserveRun(checks.Result{Check: "login", Started: now.Add(-2 * time.Minute),
		Probes: []checks.ProbeResult{{Kind: checks.ProbeValid, Latency: time.Millisecond}}})
	m.ObserveRun(checks.Result{Check: "login", Started: now.Add(-3 * time.Minute), Probes: []checks.ProbeResult{
		{Kind: checks.ProbeValid, Latency: 10 * time.Millisecond}, {Kind: checks.ProbeMissing, Latency: 40 * time.Second}}})
	m.ObserveRun(checks.Result{Check: odd, Started: now.Add(-3 * time.Minute),
		Probes: []checks.ProbeResult{{Kind: checks.ProbeValid, Latency: 7 * time.Second}}})
	m.ObserveSkipped("orders", "still_running", 1)
	m.ObserveSkipped("removed", "still_running", 1)
	m.ObserveStoreWrite(time.Second, errors.New("disk full"))
	return m
}

// get scrapes h with the given request headers and returns the body,
// uncompressed, and the response.
func get(t *testing.T, h http.Handler, header ...string) (string, *http.Response) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = gz
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), resp
}

// authmonLines keeps the lines of the authmon_ families: the Go and process
// collectors' values move between two scrapes.
func authmonLines(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(l, "authmon_") || strings.HasPrefix(l, "# HELP authmon_") || strings.HasPrefix(l, "# TYPE authmon_") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestStreamedTextIsTheLibrarys: the streamed text format is, byte for
// byte, what the client library writes for the same metrics (family and
// series order, escaping, number format, histogram lines), gzipped or not.
func TestStreamedTextIsTheLibrarys(t *testing.T) {
	m := smallMetrics()
	first, _ := get(t, m.Handler())
	if strings.Contains(first, `check="removed"`) {
		t.Error("the series of a check no longer configured are served")
	}
	fams, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	for _, f := range fams {
		if _, err := expfmt.MetricFamilyToText(&want, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, enc := range []string{"", "gzip"} {
		got, resp := get(t, m.Handler(), "Accept-Encoding", enc)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("Content-Type %q", ct)
		}
		if g, w := authmonLines(got), authmonLines(want.String()); g != w {
			t.Errorf("Accept-Encoding %q: streamed text differs from the library's:\n%s\nwant:\n%s", enc, g, w)
		}
		if !strings.Contains(got, "\ngo_goroutines ") || !strings.Contains(got, "\nprocess_cpu_seconds_total ") {
			t.Error("the Go and process collectors are missing")
		}
	}
	for _, s := range []string{`authmon_check_cert_expiry_seconds{check="orders"} 176400`,
		`authmon_probe_duration_seconds_bucket{check="login",probe="valid",le="0.01"} 2`,
		`authmon_check_severity{check="we\"ird\\name\n"} 1`} {
		if !strings.Contains(want.String(), s) {
			t.Errorf("no %s", s)
		}
	}
}

// TestProtobufScrape: a scraper that asks for protobuf gets it, every
// per-check series included.
func TestProtobufScrape(t *testing.T) {
	m := smallMetrics()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, req)
	if f := expfmt.ResponseFormat(rec.Result().Header); f.FormatType() != expfmt.TypeProtoDelim {
		t.Fatalf("format %q", f)
	}
	dec := expfmt.NewDecoder(rec.Body, expfmt.ResponseFormat(rec.Result().Header))
	n := 0
	for {
		var f dto.MetricFamily
		if err := dec.Decode(&f); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if f.GetName() == "authmon_probe_duration_seconds" {
			n = len(f.Metric)
		}
	}
	if n != 5 {
		t.Errorf("%d probe series in protobuf, want 5", n)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"": false, "gzip": true, "deflate, gzip;q=1.0, *;q=0.5": true,
		"gzip;q=0": false, "gzip; q=0.000": false, "gzip;q=0.5": true, "identity": false, "x-gzip": false} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}

// TestScrapeWhileRunsFinish: runs observed while a scrape writes the
// per-check series (run it with -race).
func TestScrapeWhileRunsFinish(t *testing.T) {
	m := smallMetrics()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			m.ObserveRun(checks.Result{Check: "login", Started: time.Now(), Probes: []checks.ProbeResult{
				{Kind: checks.ProbeKind([]string{"valid", "wrong", "scope"}[i%3]), Latency: time.Millisecond}}})
			m.ObserveSkipped("orders", "no_slot", 1)
		}
	}()
	for range 20 {
		body, _ := get(t, m.Handler())
		if !strings.Contains(body, `authmon_probe_duration_seconds_count{check="login",probe="valid"}`) {
			t.Fatal("no probe series for login")
		}
	}
	<-done
	body, _ := get(t, m.Handler())
	if !strings.Contains(body, `authmon_probe_duration_seconds_count{check="login",probe="scope"} 66`) {
		t.Errorf("scope probes miscounted:\n%s", authmonLines(body))
	}
}
