package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// loadReaders is how many dashboards read the overview at once in
// BenchmarkOverviewReaders: a wall screen, an on-call team and a few scripts.
const loadReaders = 32

// BenchmarkOverviewReaders is the overview at 1,000 checks with 32 readers
// over real HTTP while checks run: a writer records about 100 runs a second
// (1,000 checks every 10 s), one check in 50 failing. It reports the p95 of
// a request, the page's size uncompressed (bytes/page), which is what a
// browser parses, and the process's CPU time per request (cpu-ms/op, writer
// included), which a busy machine distorts less than wall time.
//
//	go test ./web -run '^$' -bench OverviewReaders -benchtime 20s
func BenchmarkOverviewReaders(b *testing.B) {
	s, h := openOverview(b, overviewBenchDB(b))
	defer s.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: loadReaders}}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { writeRuns(ctx, b, s) })
	var mu sync.Mutex
	var took []time.Duration
	var size int
	b.SetParallelism((loadReaders + 1) / 2) // GOMAXPROCS 2 on the reference machine
	b.ResetTimer()
	before := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			n := getPage(b, client, srv.URL+"/")
			d := time.Since(start)
			mu.Lock()
			took, size = append(took, d), n
			mu.Unlock()
		}
	})
	b.StopTimer()
	cpu := cpuTime() - before
	stop()
	wg.Wait()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(size), "bytes/page")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

func getPage(b *testing.B, c *http.Client, url string) int {
	resp, err := c.Get(url)
	if err != nil {
		b.Error(err)
		return 0
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return int(n)
}

// writeRuns records runs of the seeded checks round-robin, about 100 a
// second, until ctx ends; every 50th check fails its missing probe.
func writeRuns(ctx context.Context, b *testing.B, s *store.Store) {
	keep := func(prev alert.State, _ checks.Result, _ int64) (alert.State, *alert.Incident, []alert.Event) {
		return prev, nil, nil
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		name := fmt.Sprintf("seed-%04d", i%1000)
		res := benchRun(name, time.Now().UTC())
		if i%50 == 0 {
			p := &res.Probes[1]
			p.Status = 200
			p.Assertions[0] = checks.Assertion{ID: "B1", Reason: "without credentials: expected 401, got 200 OK", Expected: "401", Got: "200 OK"}
		}
		if _, _, err := s.RecordRun(ctx, res, keep); err != nil && ctx.Err() == nil {
			b.Error(err)
			return
		}
	}
}
