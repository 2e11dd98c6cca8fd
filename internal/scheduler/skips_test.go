package scheduler

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// syncBuffer is a log sink safe for the scheduler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestOverrunSlotsAreCounted (item 11): a run that outlasts its interval
// loses the slots in between; each lost slot reaches the observer (the
// metric), the tally the check page shows, and a WARN log line.
func TestOverrunSlotsAreCounted(t *testing.T) {
	obs := &recordingObserver{}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	release := make(chan struct{})
	run := func(ctx context.Context, ch checks.Check) checks.Result {
		select { // a target that hangs until the test lets go
		case <-release:
		case <-ctx.Done():
		}
		return result(ch, true)
	}
	s := New(&countingRecorder{}, run, log, WithObserver(obs),
		firstRunIn("hang", time.Second, 50*time.Millisecond))
	if err := s.Add(checks.Check{Name: "hang", Schedule: "@every 1s", Timeout: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	eventually(t, "two lost slots", func() bool { return len(obs.skips()) >= 2 })
	close(release)
	s.Stop(time.Second)

	for _, sk := range obs.skips() {
		if sk != "hang:"+SkipStillRunning {
			t.Errorf("observer got %q, want hang:%s", sk, SkipStillRunning)
		}
	}
	tally := s.Skipped("hang")
	if tally.Count < 2 || tally.Reason != SkipStillRunning || tally.Last.IsZero() || tally.Since.IsZero() {
		t.Errorf("Skipped = %+v, want at least 2 still_running", tally)
	}
	if got := s.Skipped("other"); got.Count != 0 {
		t.Errorf("Skipped(other) = %+v", got)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "check run skipped: the previous run is still running") ||
		!strings.Contains(out, "check=hang") || !strings.Contains(out, "skipped_total=2") {
		t.Errorf("no WARN line per lost slot:\n%s", out)
	}
}
