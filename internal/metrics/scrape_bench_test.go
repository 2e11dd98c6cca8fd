package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// scaleMetrics is a monitor's metrics at n checks of three probes each,
// every check run once.
func scaleMetrics(n int) *Metrics {
	states := make([]CheckState, n)
	now := time.Now()
	for i := range states {
		states[i] = CheckState{Check: fmt.Sprintf("load-%05d", i), State: "passing", LastRun: now, LastSuccess: now}
	}
	m := New(Sources{Checks: func(context.Context) ([]CheckState, error) { return states, nil },
		QueueDepth: func(context.Context) (int, error) { return 0, nil }}, "dev", nil)
	for _, st := range states {
		m.ObserveRun(checks.Result{Check: st.Check, Started: now, Probes: []checks.ProbeResult{
			{Kind: checks.ProbeValid, Latency: time.Millisecond}, {Kind: checks.ProbeMissing, Latency: 2 * time.Millisecond},
			{Kind: checks.ProbeWrong, Latency: 3 * time.Millisecond}}})
	}
	return m
}

// BenchmarkScrape10k is one /metrics scrape at 10,000 checks: B/op is what a
// scrape adds to the heap (the goal: well under 10 MiB).
func BenchmarkScrape10k(b *testing.B) {
	m := scaleMetrics(10_000)
	h := m.Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		rec.Body = nil // discard: the bytes go to the network, not the heap
		req := httptest.NewRequest("GET", "/metrics", nil)
		h.ServeHTTP(discard{rec}, req)
	}
}

// discard is a ResponseWriter whose body goes nowhere.
type discard struct{ *httptest.ResponseRecorder }

func (discard) Write(p []byte) (int, error) { return io.Discard.Write(p) }
