package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := tempDB(t)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func result(check string, at time.Time, status int) checks.Result {
	pass := status == 401
	return checks.Result{Check: check, Started: at, Duration: 12 * time.Millisecond, Probes: []checks.ProbeResult{{
		Kind: checks.ProbeMissing, Method: "GET", URL: "http://127.0.0.1/x", Status: status,
		Assertions: []checks.Assertion{{ID: "B1", Severity: checks.SevCritical, Pass: pass,
			Expected: "401", Got: "200", Reason: "without credentials: expected 401, got 200 OK"}},
	}}}
}

// decide is alert.Decide with thresholds of one, so every change is an event.
func decide(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
	p := alert.DefaultPolicy()
	p.FailureThreshold, p.SuccessThreshold = 1, 1
	return alert.Decide(prev, res, runID, p)
}

func TestRecordRunKeepsStateAndQueuesOnce(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, path := openTemp(t)
		t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		steps := []struct {
			status   int
			wantKind alert.Kind // "" = no event
		}{
			{401, ""}, {200, alert.KindOpened}, {200, ""}, {401, alert.KindResolved}, {401, ""},
		}
		for i, st := range steps {
			if i == 2 { // a restart in the middle keeps the state
				s.Close()
				var err error
				if s, err = Open(ctx, path); err != nil {
					t.Fatal(err)
				}
			}
			_, evs, err := s.RecordRun(ctx, result("api", t0.Add(time.Duration(i)*time.Minute), st.status), decide)
			if err != nil {
				t.Fatal(err)
			}
			if got := kindOf(evs); got != st.wantKind {
				t.Fatalf("step %d: event %q, want %q", i, got, st.wantKind)
			}
		}
		ns, err := s.Notifications(ctx, 10)
		if err != nil || len(ns) != 2 {
			t.Fatalf("notifications = %d, %v; want 2", len(ns), err)
		}
		opened := ns[1].Event
		if opened.Kind != alert.KindOpened || opened.IncidentID == 0 || opened.Regressions[0].Failure.Assertion.ID != "B1" {
			t.Fatalf("first notification = %+v", opened)
		}
		runs, err := s.Runs(ctx, "api", 3)
		newest := func() time.Time { // the last pass repeats the one before: folded on SQLite
			if runs[0].Repeats > 0 {
				return runs[0].LastStarted
			}
			return runs[0].Started
		}
		if err != nil || len(runs) != 3 || !newest().Equal(t0.Add(4*time.Minute)) {
			t.Fatalf("runs = %+v, %v", runs, err)
		}
		ov, err := s.Overview(ctx)
		if err != nil || len(ov) != 1 || ov[0].State.Status != alert.StatusPassing || ov[0].Last.ID != runs[0].ID {
			t.Fatalf("overview = %+v, %v", ov, err)
		}
		if one, err := s.Summary(ctx, "api"); err != nil || one.Last.ID != runs[0].ID {
			t.Fatalf("summary = %+v, %v", one, err)
		}
		if _, err := s.Summary(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("summary of an unknown check: %v", err)
		}
		inc, err := s.Incident(ctx, opened.IncidentID)
		if err != nil || inc.Open() || len(inc.Notifications) != 2 || !inc.Resolved.Equal(t0.Add(3*time.Minute)) {
			t.Fatalf("incident = %+v, %v", inc, err)
		}
	})
}

func kindOf(evs []alert.Event) alert.Kind {
	if len(evs) == 0 {
		return ""
	}
	return evs[0].Kind
}

func TestThreadIsKeptForTheIncident(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		t0 := time.Now().Add(-time.Hour)
		s.RecordRun(ctx, result("api", t0, 200), decide)
		d, err := s.NextDue(ctx, time.Now())
		if err != nil || d.Thread.TS != "" {
			t.Fatalf("first delivery %+v, %v", d, err)
		}
		if err := s.MarkSent(ctx, d.ID, time.Now(), alert.Thread{Channel: "C1", TS: "111.1"}); err != nil {
			t.Fatal(err)
		}
		s.RecordRun(ctx, result("api", t0.Add(time.Minute), 401), decide)
		d2, err := s.NextDue(ctx, time.Now())
		if err != nil || d2.Event.Kind != alert.KindResolved || d2.Thread != (alert.Thread{Channel: "C1", TS: "111.1"}) {
			t.Fatalf("resolution delivery %+v, %v", d2, err)
		}
		// A later root (say, after a retry) never replaces the thread.
		if err := s.MarkSent(ctx, d2.ID, time.Now(), alert.Thread{Channel: "C1", TS: "222.2"}); err != nil {
			t.Fatal(err)
		}
		incs, err := s.Incidents(ctx, 10)
		if err != nil || len(incs) != 1 || incs[0].Thread.TS != "111.1" {
			t.Fatalf("incidents = %+v, %v", incs, err)
		}
		if l := incs[0].Latest; l == nil || l.ID != d2.ID || l.Sent.IsZero() {
			t.Fatalf("latest notification = %+v, want the sent resolution %d", l, d2.ID)
		}
	})
}

func TestIncidentsOpenFirst(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		t0 := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
		s.RecordRun(ctx, result("old", t0, 200), decide)
		s.RecordRun(ctx, result("old", t0.Add(time.Minute), 401), decide)
		s.RecordRun(ctx, result("newer-resolved", t0.Add(2*time.Minute), 200), decide)
		s.RecordRun(ctx, result("newer-resolved", t0.Add(3*time.Minute), 401), decide)
		s.RecordRun(ctx, result("still-open", t0, 200), decide)
		incs, err := s.Incidents(ctx, 10)
		if err != nil || len(incs) != 3 {
			t.Fatalf("incidents = %d, %v", len(incs), err)
		}
		order := []string{incs[0].Check, incs[1].Check, incs[2].Check}
		if order[0] != "still-open" || order[1] != "newer-resolved" || order[2] != "old" {
			t.Fatalf("order = %v", order)
		}
	})
}

func TestOutboxOrderPerCheck(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		a1, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: "a"})
		a2, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindResolved, Check: "a"})
		b1, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: "b"})
		now := time.Now().Add(time.Second) // every row above is due
		next := func() int64 {
			d, err := s.NextDue(ctx, now)
			if errors.Is(err, alert.ErrNothingDue) {
				return 0
			}
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		if got := next(); got != a1 {
			t.Fatalf("first due = %d, want %d", got, a1)
		}
		// a1 is waiting for a retry: a2 must wait behind it, b1 may go.
		if err := s.MarkRetry(ctx, a1, now.Add(time.Minute), "slack: 500"); err != nil {
			t.Fatal(err)
		}
		if got := next(); got != b1 {
			t.Fatalf("due while a1 retries = %d, want %d", got, b1)
		}
		if err := s.MarkRetry(ctx, b1, now.Add(time.Minute), "slack: 500"); err != nil {
			t.Fatal(err)
		}
		if got := next(); got != 0 {
			t.Fatalf("due = %d, want nothing", got)
		}
		if err := s.MarkFailed(ctx, a1, "channel_not_found"); err != nil {
			t.Fatal(err)
		}
		if got := next(); got != a2 {
			t.Fatalf("due after a1 gave up = %d, want %d", got, a2)
		}
		if err := s.MarkSent(ctx, 999, now, alert.Thread{}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("mark unknown = %v, want ErrNotFound", err)
		}
	})
}

func TestRefusesNewerSchema(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, path := openTemp(t)
		if _, err := s.w.Exec(`INSERT INTO schema_migrations VALUES (99, 0)`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := Open(ctx, path); err == nil {
			t.Fatal("opened a database from a newer version")
		}
	})
}

func TestStateNotFound(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		if _, err := s.State(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestInFlightSurvivesACrash(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, path := openTemp(t)
		id, _ := s.Enqueue(ctx, alert.Event{Kind: alert.KindOpened, Check: "a"})
		now := time.Now().Add(time.Second)
		if d, err := s.NextDue(ctx, now); err != nil || d.InFlight {
			t.Fatalf("fresh delivery %+v, %v", d, err)
		}
		if err := s.MarkInFlight(ctx, id, now); err != nil {
			t.Fatal(err)
		}
		s.Close() // the process dies mid-send
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		d, err := s.NextDue(ctx, now)
		if err != nil || d.ID != id || !d.InFlight {
			t.Fatalf("after the crash: %+v, %v; want in flight", d, err)
		}
		if err := s.MarkRetry(ctx, id, now, "slack: 500"); err != nil {
			t.Fatal(err)
		}
		if d, _ := s.NextDue(ctx, now); d.InFlight {
			t.Fatal("a finished attempt still counts as in flight")
		}
	})
}
