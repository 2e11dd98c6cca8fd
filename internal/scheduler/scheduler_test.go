package scheduler

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func result(ch checks.Check, pass bool) checks.Result {
	return checks.Result{Check: ch.Name, Started: time.Now().UTC(), Probes: []checks.ProbeResult{{
		Kind: checks.ProbeMissing, Assertions: []checks.Assertion{{ID: "B1", Pass: pass, Severity: checks.SevCritical}}}}}
}

func decide(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
	return alert.Decide(prev, res, runID, alert.DefaultPolicy())
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
	return WithBase(time.Now().Add(d - offset(name, every)))
}

func TestRunsRecordsAndWakes(t *testing.T) {
	st := openStore(t)
	var wakes atomic.Int32
	// Critical failures open an incident on the first run.
	run := func(_ context.Context, ch checks.Check) checks.Result { return result(ch, false) }
	s := New(st, run, decide, func() { wakes.Add(1) }, quiet(), firstRunIn("a", time.Hour, 100*time.Millisecond))
	if err := s.Add(checks.Check{Name: "a", Schedule: "@every 1h"}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(time.Second)
	eventually(t, "the first run", func() bool { runs, _ := st.Runs(context.Background(), "a", 5); return len(runs) == 1 })
	eventually(t, "a wake for the failing run", func() bool { return wakes.Load() == 1 })
	if state, err := st.State(context.Background(), "a"); err != nil || state.Status != alert.StatusFailing {
		t.Fatalf("state = %+v, %v", state, err)
	}
}

func TestSkipsWhileRunningAndSurvivesPanics(t *testing.T) {
	st := openStore(t)
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
	s := New(st, run, decide, func() {}, quiet())
	if err := s.Add(checks.Check{Name: "slow", Schedule: "@every 1s"}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	eventually(t, "a run after the panic", func() bool { return calls.Load() >= 2 })
	eventually(t, "a recorded run", func() bool { runs, _ := st.Runs(context.Background(), "slow", 5); return len(runs) >= 1 })
	s.Stop(time.Second)
	if m := maxRunning.Load(); m != 1 {
		t.Fatalf("%d runs of one check at once, want 1", m)
	}
}

func TestStopCancelsAndDoesNotRecord(t *testing.T) {
	st := openStore(t)
	started := make(chan struct{})
	run := func(ctx context.Context, ch checks.Check) checks.Result {
		close(started)
		<-ctx.Done() // a target that hangs
		return result(ch, false)
	}
	s := New(st, run, decide, func() {}, quiet(), firstRunIn("hang", time.Hour, 100*time.Millisecond))
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
	if runs, _ := st.Runs(context.Background(), "hang", 5); len(runs) != 0 {
		t.Fatalf("a run cancelled by shutdown was recorded: %+v", runs)
	}
}

func TestAddRejectsBadSchedule(t *testing.T) {
	s := New(openStore(t), nil, decide, func() {}, quiet())
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
