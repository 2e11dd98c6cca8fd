package web

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

func TestCheckPageLocations(t *testing.T) {
	doc := parse(t, get(t, newFleetHandler(t, standing()), "/checks/api-basic"))
	rows := doc.Find(`[data-testid="check-location"]`)
	if got := attrs(rows, "data-location"); !slices.Equal(got, []string{"ap-south", "eu-west", "us-east"}) {
		t.Fatalf("locations %v", got)
	}
	if got := attrs(rows, "data-mark"); !slices.Equal(got, []string{"stale", "passing", "failing"}) {
		t.Errorf("marks %v", got)
	}
	want := "✖ failing B1 missing · B1: without credentials: expected 401, got 200 " + xss +
		"|2026-03-01 11:59:48 UTC 12s ago|mon-us-1"
	if got := cells(rows.Eq(2)); got != want {
		t.Errorf("us-east:\n got %q\nwant %q", got, want)
	}
	if got := cells(rows.Eq(0)); got != "… stale|2026-03-01 09:00:00 UTC 3h ago|mon-ap-1" {
		t.Errorf("ap-south: %q", got)
	}
}

func TestCheckPageWithoutLocations(t *testing.T) {
	h, _ := newTestHandler(t)
	doc := parse(t, get(t, h, "/checks/api-basic"))
	if n := doc.Find(`[data-testid="check-locations"], [data-testid="run-location"]`).Length(); n != 0 {
		t.Errorf("%d location marks on a single monitor's check page", n)
	}
}

func TestCheckPageRunLocation(t *testing.T) {
	st := newFleetStore(t)
	res := basicRun(t0.Add(-time.Second))
	res.Location, res.Slot = "us-east", t0.Add(-time.Second)
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	if _, _, err := st.RecordRun(context.Background(), res, eval); err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Store: st, Checks: fixed(fleetChecks()), Now: func() time.Time { return t0 }, Fleet: standing})
	runs := parse(t, get(t, h, "/checks/api-basic")).Find(`[data-testid="run"]`)
	if got := text(runs.First().Find(`[data-testid="run-location"]`)); got != "from us-east" {
		t.Errorf("newest run's location %q, want from us-east; runs %v", got, attrs(runs, "data-run"))
	}
	if n := runs.Eq(1).Find(`[data-testid="run-location"]`).Length(); n != 0 {
		t.Errorf("a run without a location shows %d", n)
	}
}
