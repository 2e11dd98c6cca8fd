package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/demo"
	"github.com/authmon/monitor/internal/pipeline"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/internal/scheduler"
	"github.com/authmon/monitor/internal/store"
)

// loadChecks are n Basic checks named seed-0000… (the names SeedHistory
// gives) against the sample API at base, every interval.
func loadChecks(base string, n int, interval time.Duration) []checks.Check {
	list := make([]checks.Check, n)
	for i := range list {
		list[i] = checks.Check{Name: fmt.Sprintf("seed-%04d", i), Schedule: "@every " + interval.String(),
			Timeout: 10 * time.Second, Method: "GET", URL: base + "/basic/profile", MaxBody: 1 << 20,
			Headers: map[string]string{"Accept": "application/json"},
			Auth:    checks.Credential{Kind: checks.AuthBasic, Username: "canary", Password: "demo-password"},
			Secrets: []string{"demo-password"},
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid, Status: []int{200}, BodyContains: "protected"},
				{Kind: checks.ProbeMissing, Scheme: "Basic", Realm: "demo"}, {Kind: checks.ProbeWrong, Scheme: "Basic"}}}
	}
	return list
}

// loadStore opens the check-page load history (AUTHMON_LOAD_DB, or a
// temporary file): n checks × one day of runs a minute apart, each the
// evidence of a real run against the sample API, built once.
func loadStore(b *testing.B, list []checks.Check) *store.Store {
	b.Helper()
	path := os.Getenv("AUTHMON_LOAD_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "load.db")
	}
	_, statErr := os.Stat(path)
	s, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if statErr == nil {
		return s
	}
	tmpl := checks.Run(context.Background(), checks.NewClient(1), list[0])
	if !tmpl.Passed() {
		b.Fatalf("the sample API fails the template run: %+v", tmpl.Failures())
	}
	pass := func(check string, at time.Time) checks.Result {
		res := tmpl
		res.Check, res.Started = check, at
		res.Probes = slices.Clone(tmpl.Probes) // the seed fails probe 1 once a day
		res.Probes[1].Assertions = slices.Clone(tmpl.Probes[1].Assertions)
		return res
	}
	if err := s.SeedHistory(context.Background(), len(list), 1, time.Minute, time.Now().UTC(), pass); err != nil {
		b.Fatal(err)
	}
	return s
}

// runChecks runs every check on its schedule against the sample API and
// records the runs, as serve does, until the returned stop is called.
func runChecks(s *store.Store, list []checks.Check) (stop func()) {
	red := redact.New("demo-password")
	runner := checks.NewRunner(checks.NewClient(8), nil, red)
	pipe := pipeline.New(pipeline.Deps{Runner: runner, Store: s, Log: slog.New(slog.DiscardHandler)})
	sch := scheduler.New(pipe, pipe.Run, slog.New(slog.DiscardHandler), scheduler.WithLimits(256, 8))
	for _, ch := range list {
		_ = sch.Add(ch)
	}
	sch.Start()
	return func() { sch.Stop(5 * time.Second) }
}

// readers asks for pages of random checks from n goroutines at once, each
// waiting for a whole answer before the next request, for the duration, and
// returns every request's latency and the bytes of the last answer.
func readers(b *testing.B, base string, n, checkCount int, path func(check string) string, d time.Duration) ([]time.Duration, int) {
	var mu sync.Mutex
	var lat []time.Duration
	var size int
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for time.Now().Before(end) {
				start := time.Now()
				resp, err := http.Get(base + path(fmt.Sprintf("seed-%04d", rand.IntN(checkCount))))
				if err != nil {
					b.Error(err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Errorf("GET: %d %v", resp.StatusCode, err)
					return
				}
				mu.Lock()
				lat, size = append(lat, time.Since(start)), len(body)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, size
}

// quantile is the q-th latency of a sorted list.
func quantile(lat []time.Duration, q float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
}

// BenchmarkCheckPageReaders is the check page at 1,000 checks under load:
// every check runs each second against the sample API (in process) and is
// recorded, while 32 readers ask for check pages, each reader as fast as
// its answers come, for 20 s (AUTHMON_LOAD_WINDOW). Run it with
// -benchtime 1x: one op is the whole window.
func BenchmarkCheckPageReaders(b *testing.B) {
	api, err := demo.New(demo.Credentials{Username: "canary", Password: "demo-password", Token: "t", APIKey: "k"}, demo.ModeOK)
	if err != nil {
		b.Fatal(err)
	}
	target := httptest.NewServer(api.Handler())
	b.Cleanup(target.Close)
	list := loadChecks(target.URL, 1000, time.Second)
	s := loadStore(b, list)
	srv := httptest.NewServer(New(Deps{Store: s, Checks: func() []checks.Check { return list }}))
	b.Cleanup(srv.Close)
	window := 20 * time.Second
	if d, err := time.ParseDuration(os.Getenv("AUTHMON_LOAD_WINDOW")); err == nil {
		window = d
	}
	stop := runChecks(s, list)
	defer stop()
	time.Sleep(3 * time.Second) // every check has had its first slot
	for b.Loop() {
		page := func(check string) string { return "/checks/" + check }
		lat, size := readers(b, srv.URL, 32, len(list), page, window)
		b.ReportMetric(quantile(lat, 0.50), "p50-ms")
		b.ReportMetric(quantile(lat, 0.95), "p95-ms")
		b.ReportMetric(quantile(lat, 0.99), "p99-ms")
		b.ReportMetric(float64(len(lat))/window.Seconds(), "pages/s")
		b.ReportMetric(float64(size), "page-bytes")
		b.ReportMetric(float64(gzipSize(b, srv.URL+page("seed-0500"))), "page-gzip-bytes")
	}
}

// gzipSize is the size of a page as a browser receives it, compressed.
func gzipSize(b *testing.B, url string) int {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return int(n)
}

// Run fails like every other read of the broken store.
func (brokenStore) Run(context.Context, string, int64) (store.Run, error) {
	return store.Run{}, errBroken
}

// RunSummaries fails like every other read of the broken store.
func (brokenStore) RunSummaries(context.Context, string, store.RunQuery) (store.RunPage, error) {
	return store.RunPage{}, errBroken
}
