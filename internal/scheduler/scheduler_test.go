package scheduler

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

func result(ch checks.Check, pass bool) checks.Result {
	return checks.Result{Check: ch.Name, Started: time.Now().UTC(), Probes: []checks.ProbeResult{{
		Kind: checks.ProbeMissing, Assertions: []checks.Assertion{{ID: "B1", Pass: pass, Severity: checks.SevCritical}}}}}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// firstRunIn returns a base that puts the first slot of the check called
// name, on an @every schedule, d from now.
func firstRunIn(name string, every, d time.Duration) Option {
	return WithBase(time.Now().Add(d - stepped(offset(name, every), every)))
}

// TestRunsAndRecords: the first slot runs the check and hands its result
// to the Recorder; a Recorder's error is logged with the check's name.
func TestRunsAndRecords(t *testing.T) {
	rec := &countingRecorder{err: errors.New("disk full")}
	var mu sync.Mutex
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &logs}, nil))
	run := func(_ context.Context, ch checks.Check) checks.Result { return result(ch, false) }
	s := New(rec, run, log, firstRunIn("a", time.Hour, 100*time.Millisecond))
	if err := s.Add(checks.Check{Name: "a", Schedule: "@every 1h"}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(time.Second)
	eventually(t, "the first run", func() bool { return rec.count("a") == 1 })
	eventually(t, "the error logged", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(logs.String(), `msg="record run" check=a err="disk full"`)
	})
}

// lockedWriter lets the test read a log that runs write to.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestSkipsWhileRunningAndSurvivesPanics(t *testing.T) {
	rec := &countingRecorder{}
	var running, maxRunning, calls atomic.Int32
	run := func(ctx context.Context, ch checks.Check) checks.Result {
		n := calls.Add(1)
		if n == 1 {
			panic("first run explodes")
		}
		cur := running.Add(1)
		defer running.Add(-1)
		if cur > maxRunning.Load() {
			maxRunning.Store(cur)
		}
		select { // slower than the 1 s schedule
		case <-time.After(2500 * time.Millisecond):
		case <-ctx.Done():
		}
		return result(ch, true)
	}
	s := New(rec, run, quiet())
	if err := s.Add(checks.Check{Name: "slow", Schedule: "@every 1s"}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	eventually(t, "a run after the panic", func() bool { return calls.Load() >= 2 })
	eventually(t, "a recorded run", func() bool { return rec.count("slow") >= 1 })
	s.Stop(time.Second)
	if m := maxRunning.Load(); m != 1 {
		t.Fatalf("%d runs of one check at once, want 1", m)
	}
}

func TestStopCancelsAndDoesNotRecord(t *testing.T) {
	rec := &countingRecorder{}
	started := make(chan struct{})
	run := func(ctx context.Context, ch checks.Check) checks.Result {
		close(started)
		<-ctx.Done() // a target that hangs
		return result(ch, false)
	}
	s := New(rec, run, quiet(), firstRunIn("hang", time.Hour, 100*time.Millisecond))
	if err := s.Add(checks.Check{Name: "hang", Schedule: "@every 1h"}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	<-started
	begin := time.Now()
	s.Stop(200 * time.Millisecond)
	if took := time.Since(begin); took > 5*time.Second {
		t.Fatalf("Stop took %s", took)
	}
	if n := rec.count("hang"); n != 0 {
		t.Fatalf("a run cancelled by shutdown was recorded %d times", n)
	}
}

// TestAddRefAndRebind: a check added by reference is read, not copied, and
// Rebind points it at the same definition in a newer config, keeping its
// slot; the run reads the rebound one.
func TestAddRefAndRebind(t *testing.T) {
	rec := &countingRecorder{}
	var ran atomic.Pointer[string]
	run := func(_ context.Context, ch checks.Check) checks.Result {
		u := ch.URL
		ran.Store(&u)
		return checks.Result{Check: ch.Name}
	}
	s := New(rec, run, quiet())
	old := &checks.Check{Name: "a", Schedule: "@every 1m", URL: "http://127.0.0.1:1/old"}
	if err := s.AddRef(old); err != nil {
		t.Fatal(err)
	}
	j := s.jobs["a"]
	if j.ch() != old {
		t.Fatal("AddRef copied the check")
	}
	slot := j.slot
	next := &checks.Check{Name: "a", Schedule: "@every 1m", URL: "http://127.0.0.1:1/new"}
	if !s.Rebind(next) || s.jobs["a"] != j || j.ch() != next || j.slot != slot {
		t.Fatal("Rebind did not point the job at the new check, keeping its slot")
	}
	if s.Rebind(&checks.Check{Name: "none"}) {
		t.Fatal("Rebind of a check never scheduled reported true")
	}
	j.Run(time.Time{})
	if got := ran.Load(); got == nil || *got != next.URL {
		t.Fatalf("the run read %v, want %s", got, next.URL)
	}
}

func TestAddRejectsBadSchedule(t *testing.T) {
	s := New(&countingRecorder{}, nil, quiet())
	if err := s.Add(checks.Check{Name: "x", Schedule: "61 * * * *"}); err == nil {
		t.Fatal("accepted a bad schedule")
	}
	if err := s.Add(checks.Check{Name: "x", Schedule: "@every 1m"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(checks.Check{Name: "x", Schedule: "@every 1m"}); err == nil {
		t.Fatal("scheduled the same name twice")
	}
}
