package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// countingRecorder records nothing but counts runs per check, and answers
// err. The scheduler's tests use it: they test the scheduler, not the
// pipeline behind it (internal/pipeline tests the two together).
type countingRecorder struct {
	mu   sync.Mutex
	runs map[string][]time.Time
	err  error
}

func (r *countingRecorder) Record(_ context.Context, res checks.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs == nil {
		r.runs = map[string][]time.Time{}
	}
	r.runs[res.Check] = append(r.runs[res.Check], time.Now())
	return r.err
}

func (r *countingRecorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.runs[name])
}

// gauge tracks how many runs are in progress, in total and per host.
type gauge struct {
	mu       sync.Mutex
	cur, max map[string]int // "" is the total
}

func (g *gauge) enter(host string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur == nil {
		g.cur, g.max = map[string]int{}, map[string]int{}
	}
	for _, k := range []string{"", host} {
		g.cur[k]++
		g.max[k] = max(g.max[k], g.cur[k])
	}
}

func (g *gauge) leave(host string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cur[""]--
	g.cur[host]--
}

func (g *gauge) peak(host string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.max[host]
}

// TestConcurrencyLimits: six slow checks, each taking 300 ms, due at the
// same second; never more run at once than the limits allow.
func TestConcurrencyLimits(t *testing.T) {
	cases := []struct {
		name            string
		global, perHost int
		hosts           []string       // one check per entry
		wantPeak        map[string]int // by host:port; "" is the total
	}{
		{"global", 2, 8, []string{"a", "b", "c", "d", "e", "f"}, map[string]int{"": 2}},
		{"per host", 10, 2, []string{"a", "a", "a", "a", "b", "b"}, map[string]int{"a:80": 2, "b:80": 2, "": 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := runSlowChecks(t, tc.global, tc.perHost, tc.hosts)
			for host, want := range tc.wantPeak {
				if got := g.peak(host); got > want {
					t.Errorf("%d runs at once against %q, limit %d", got, host, want)
				}
			}
		})
	}
}

// runSlowChecks runs one 300 ms check per host entry under the limits until
// each ran twice, and returns how many ran at once.
func runSlowChecks(t *testing.T, global, perHost int, hosts []string) *gauge {
	g := &gauge{}
	rec := &countingRecorder{}
	run := func(_ context.Context, ch checks.Check) checks.Result {
		host := hostOf(ch.URL)
		g.enter(host)
		defer g.leave(host)
		time.Sleep(300 * time.Millisecond)
		return checks.Result{Check: ch.Name}
	}
	s := New(rec, run, quiet(), WithLimits(global, perHost))
	for i, h := range hosts {
		ch := checks.Check{Name: fmt.Sprint("c", i), Schedule: "@every 1s", Timeout: 5 * time.Second, URL: "http://" + h + ":80/"}
		if err := s.Add(ch); err != nil {
			t.Fatal(err)
		}
	}
	s.Start()
	defer s.Stop(time.Second)
	eventually(t, "every check to run twice", func() bool {
		for i := range hosts {
			if rec.count(fmt.Sprint("c", i)) < 2 {
				return false
			}
		}
		return true
	})
	return g
}

// TestLimiterWaitIsBounded: a run that finds no slot gives up when its
// context ends, and a released slot is taken by the next run.
func TestLimiterWaitIsBounded(t *testing.T) {
	l := newLimiter(1, 1)
	release, err := l.acquire(context.Background(), "h")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(ctx, "other"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the wait to time out on the global limit", err)
	}
	release()
	release2, err := l.acquire(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	release2()
	if n := len(l.hosts); n != 0 {
		t.Fatalf("%d idle hosts still tracked", n)
	}
}

// TestFiftyChecksStartWithinTheirInterval: 50 checks at @every 1s all run
// within about 1.5 s of Start, spread rather than at once, and each run's
// lateness is measured.
func TestFiftyChecksStartWithinTheirInterval(t *testing.T) {
	rec := &countingRecorder{}
	var calls atomic.Int32
	run := func(_ context.Context, ch checks.Check) checks.Result {
		calls.Add(1)
		return checks.Result{Check: ch.Name}
	}
	s := New(rec, run, quiet())
	for i := range 50 {
		if err := s.Add(checks.Check{Name: fmt.Sprintf("check-%02d", i), Schedule: "@every 1s"}); err != nil {
			t.Fatal(err)
		}
	}
	begin := time.Now()
	s.Start()
	defer s.Stop(time.Second)
	for calls.Load() < 50 && time.Since(begin) < 3*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	first := map[string]time.Time{}
	rec.mu.Lock()
	for name, at := range rec.runs {
		first[name] = at[0]
	}
	rec.mu.Unlock()
	if len(first) != 50 {
		t.Fatalf("%d of 50 checks ran within 3 s", len(first))
	}
	for name, at := range first {
		if d := at.Sub(begin); d > 1500*time.Millisecond {
			t.Errorf("%s first ran %s after Start", name, d)
		}
	}
	if _, _, n := s.Lateness(); n < 50 {
		t.Errorf("lateness measured for %d runs, want ≥ 50", n)
	}
}

// TestAddAndRemoveWhileRunning: a check removed from a running scheduler
// runs no more; one added runs at its first slot; others keep their entry.
func TestAddAndRemoveWhileRunning(t *testing.T) {
	rec := &countingRecorder{}
	run := func(_ context.Context, ch checks.Check) checks.Result { return checks.Result{Check: ch.Name} }
	s := New(rec, run, quiet())
	for _, name := range []string{"kept", "removed"} {
		if err := s.Add(checks.Check{Name: name, Schedule: "@every 1s"}); err != nil {
			t.Fatal(err)
		}
	}
	kept, _ := s.EntryID("kept")
	s.Start()
	defer s.Stop(time.Second)
	eventually(t, "the first runs", func() bool { return rec.count("kept") >= 1 && rec.count("removed") >= 1 })
	if !s.Remove("removed") || s.Remove("removed") {
		t.Fatal("Remove did not report what it removed")
	}
	if err := s.Add(checks.Check{Name: "added", Schedule: "@every 1s"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // a run already started may finish
	after := rec.count("removed")
	eventually(t, "the added check to run", func() bool { return rec.count("added") >= 1 && rec.count("kept") >= 3 })
	if n := rec.count("removed"); n != after {
		t.Errorf("the removed check ran %d more times", n-after)
	}
	if id, ok := s.EntryID("kept"); !ok || id != kept {
		t.Errorf("kept check's entry %d, was %d", id, kept)
	}
}
