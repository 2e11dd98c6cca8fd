package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// recordingObserver keeps what the scheduler reports.
type recordingObserver struct {
	mu       sync.Mutex
	lateness []time.Duration
	skipped  []string
}

func (o *recordingObserver) ObserveLateness(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lateness = append(o.lateness, d)
}

func (o *recordingObserver) ObserveSkipped(check, reason string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for range n {
		o.skipped = append(o.skipped, check+":"+reason)
	}
}

func (o *recordingObserver) skips() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.skipped...)
}

func (o *recordingObserver) late() []time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]time.Duration(nil), o.lateness...)
}

// TestObserverAndRunning: a run's lateness reaches the observer, and
// Running follows Start and Stop.
func TestObserverAndRunning(t *testing.T) {
	obs := &recordingObserver{}
	run := func(_ context.Context, ch checks.Check) checks.Result { return result(ch, true) }
	s := New(&countingRecorder{}, run, quiet(), WithObserver(obs),
		firstRunIn("a", time.Hour, 100*time.Millisecond))
	if err := s.Add(checks.Check{Name: "a", Schedule: "@every 1h"}); err != nil {
		t.Fatal(err)
	}
	if s.Running() {
		t.Fatal("running before Start")
	}
	s.Start()
	if !s.Running() {
		t.Fatal("not running after Start")
	}
	eventually(t, "the first run's lateness", func() bool { return len(obs.late()) == 1 })
	if d := obs.late()[0]; d < 0 || d > 5*time.Second {
		t.Errorf("lateness %s", d)
	}
	s.Stop(time.Second)
	if s.Running() {
		t.Error("running after Stop")
	}
	if len(obs.skipped) != 0 {
		t.Errorf("skipped %v", obs.skipped)
	}
}
