package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// fleetStore is the seeded store of a fleet of three instances in three
// locations: what the fleet tables would hold.
type fleetStore struct {
	*store.Store
	instances []store.Instance
	schedule  []store.ScheduleRow
	locs      map[string][]store.LocationResult
}

func (s *fleetStore) Instances(context.Context) ([]store.Instance, error) { return s.instances, nil }
func (s *fleetStore) Schedule(context.Context) ([]store.ScheduleRow, error) {
	return s.schedule, nil
}
func (s *fleetStore) LocationResults(_ context.Context, check string) ([]store.LocationResult, error) {
	return s.locs[check], nil
}
func (s *fleetStore) AllLocationResults(context.Context) (map[string][]store.LocationResult, error) {
	return s.locs, nil
}

const (
	fleetSHA = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	oldSHA   = "ffff0000eeee1111dddd2222cccc3333"
)

// failedVerdict is a verdict whose missing probe got through without
// credentials (B1).
func failedVerdict() []checks.ProbeResult {
	return []checks.ProbeResult{{Kind: checks.ProbeMissing, Method: "GET", URL: "http://127.0.0.1:8081/basic",
		Assertions: []checks.Assertion{{ID: "B1", Severity: checks.SevCritical,
			Reason: "without credentials: expected 401, got 200 " + xss}}}}
}

func newFleetStore(t *testing.T) *fleetStore {
	t.Helper()
	return &fleetStore{Store: seededStore(t),
		instances: []store.Instance{
			{ID: "mon-eu-1", Location: "eu-west", Version: "v1.4.0", ConfigSHA: fleetSHA, Seen: t0.Add(-time.Second),
				SlotsRun: 1200, SlotsSkipped: 2, LateP50: 40 * time.Millisecond, LateP99: 180 * time.Millisecond, Claiming: true, Live: true},
			{ID: "mon-us-1", Location: "us-east", Version: "v1.4.0", ConfigSHA: oldSHA, Seen: t0.Add(-2 * time.Second),
				Note: "config differs from the fleet's", Live: true},
			{ID: "mon-ap-1", Location: "ap-south", Version: "v1.3.9", ConfigSHA: fleetSHA, Seen: t0.Add(-3 * time.Hour),
				SlotsRun: 90, Claiming: true},
		},
		schedule: []store.ScheduleRow{
			{Check: "api-basic", Location: "eu-west", Next: t0.Add(10 * time.Second), LeaseOwner: "mon-eu-1", LeaseUntil: t0.Add(5 * time.Second)},
			{Check: "api-basic", Location: "us-east", Next: t0.Add(20 * time.Second), Skipped: 3},
			{Check: "api-key", Location: "ap-south", Next: t0.Add(-time.Minute)},
			{Check: "gone-check", Location: "eu-west", Next: t0},
		},
		locs: map[string][]store.LocationResult{
			"api-basic": {
				{Location: "ap-south", Instance: "mon-ap-1", Started: t0.Add(-3 * time.Hour), Passed: true},
				{Location: "eu-west", Instance: "mon-eu-1", Started: t0.Add(-10 * time.Second), Passed: true},
				{Location: "us-east", Instance: "mon-us-1", Started: t0.Add(-12 * time.Second), Verdict: failedVerdict()},
			},
			"api-bearer": {{Location: "eu-west", Instance: "mon-eu-1", Started: t0.Add(-20 * time.Second), Passed: true}},
			"gone-check": {{Location: "eu-west", Instance: "mon-eu-1", Started: t0, Passed: true}},
		},
	}
}

// fleetChecks are the test checks; api-bearer runs from eu-west only.
func fleetChecks() []checks.Check {
	list := testChecks()
	for i := range list {
		if list[i].Name == "api-bearer" {
			list[i].Locations = []string{"eu-west"}
		}
	}
	return list
}

// standing is this instance, mon-eu-1, claiming with the fleet's config.
func standing() store.Standing {
	return store.Standing{Instance: "mon-eu-1", Location: "eu-west", At: t0.Add(-time.Second), ConfigSHA: fleetSHA,
		FleetSHA: fleetSHA, Claiming: true, Locations: []string{"eu-west", "us-east"}}
}

func newFleetHandler(t *testing.T, self store.Standing) http.Handler {
	t.Helper()
	return New(Deps{Store: newFleetStore(t), Checks: fixed(fleetChecks()), Now: func() time.Time { return t0 },
		Fleet: func() store.Standing { return self }})
}

func TestFleetPageSingleMonitor(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/fleet")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	doc := parse(t, rec)
	if got := text(doc.Find(`[data-testid="fleet-single"]`)); !strings.Contains(got, "single monitor") ||
		!strings.Contains(got, "Run a fleet") {
		t.Errorf("single monitor note %q", got)
	}
	if n := doc.Find(`[data-testid="fleet-instances"], [data-testid="fleet-matrix"]`).Length(); n != 0 {
		t.Errorf("%d fleet sections on a single monitor", n)
	}
	if doc.Find(`[data-testid="nav-fleet"]`).AttrOr("href", "") != "/fleet" {
		t.Error("no Fleet link in the navigation")
	}
}

func TestFleetPageInstances(t *testing.T) {
	doc := parse(t, get(t, newFleetHandler(t, standing()), "/fleet"))
	rows := doc.Find(`[data-testid="instance"]`)
	if got := attrs(rows, "data-instance"); !slices.Equal(got, []string{"mon-eu-1", "mon-us-1", "mon-ap-1"}) {
		t.Fatalf("instances %v", got)
	}
	if got := attrs(rows, "data-live"); !slices.Equal(got, []string{"true", "true", "false"}) {
		t.Errorf("live %v", got)
	}
	want := []string{
		"eu-west|v1.4.0|a1b2c3d4e5f6|✔ live|2026-03-01 11:59:59 UTC 1s ago|1200|2|40 ms / 180 ms|yes",
		"us-east|v1.4.0|ffff0000eeee ⚠ not the fleet's|✔ live|2026-03-01 11:59:58 UTC 2s ago|0|0|—|no: config differs from the fleet's",
		"ap-south|v1.3.9|a1b2c3d4e5f6|… gone|2026-03-01 09:00:00 UTC 3h ago|90|0|0.0 ms / 0.0 ms|yes",
	}
	for i, w := range want {
		if got := cells(rows.Eq(i)); got != w {
			t.Errorf("row %d:\n got %q\nwant %q", i, got, w)
		}
	}
	if got := text(rows.Find(`[data-testid="instance-self"]`).Closest("tr")); !strings.Contains(got, "mon-eu-1") {
		t.Errorf("this instance is marked on %q", got)
	}
	if got := text(doc.Find(`[data-testid="fleet-config"]`)); !strings.Contains(got, "a1b2c3d4e5f6") {
		t.Errorf("fleet config line %q", got)
	}
	if got := text(doc.Find(`[data-testid="self-standing"]`)); !strings.HasPrefix(got, "✔ claiming") {
		t.Errorf("standing %q", got)
	}
}

func TestFleetPageMatrix(t *testing.T) {
	doc := parse(t, get(t, newFleetHandler(t, standing()), "/fleet"))
	if got := texts(doc.Find(`[data-testid="matrix-location"]`)); !slices.Equal(got, []string{"ap-south", "eu-west", "us-east"}) {
		t.Errorf("locations %v", got)
	}
	if got := attrs(doc.Find(`[data-testid="matrix-row"]`), "data-check"); slices.Contains(got, "gone-check") || len(got) != 5 {
		t.Errorf("matrix rows %v: want the five configured checks", got)
	}
	tests := []struct {
		check, location, mark, text string
	}{
		{"api-basic", "eu-west", "passing", "✔ passing 10s ago"},
		{"api-basic", "us-east", "failing", "✖ failing B1 12s ago"},
		{"api-basic", "ap-south", "stale", "… stale 3h ago"}, // older than 2 × 30 s and a margin
		{"api-bearer", "eu-west", "passing", "✔ passing 20s ago"},
		{"api-bearer", "us-east", "none", "· not run from us-east"}, // not one of its locations
		{pendingName, "eu-west", "stale", "… stale no result"},
	}
	for _, tt := range tests {
		t.Run(tt.check+"/"+tt.location, func(t *testing.T) {
			cell := doc.Find(`[data-testid="matrix-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
				return s.AttrOr("data-check", "") == tt.check
			}).Find(`[data-location="` + tt.location + `"]`)
			if got := cell.AttrOr("data-mark", ""); got != tt.mark {
				t.Errorf("mark %q, want %q", got, tt.mark)
			}
			if got := text(cell); got != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
		})
	}
	failing := doc.Find(`[data-check="api-basic"] [data-location="us-east"]`).AttrOr("title", "")
	if !strings.Contains(failing, "missing · B1: without credentials") || !strings.Contains(failing, xss) {
		t.Errorf("failing cell's title %q lacks the reason", failing)
	}
}

func TestFleetPageStaleAfterFromTheFleet(t *testing.T) {
	self := standing()
	self.StaleAfter = func(checks.Check) time.Duration { return 5 * time.Second }
	doc := parse(t, get(t, newFleetHandler(t, self), "/fleet"))
	if got := doc.Find(`[data-check="api-basic"] [data-location="eu-west"]`).AttrOr("data-mark", ""); got != "stale" {
		t.Errorf("a 10 s old result with a 5 s window is %q, want stale", got)
	}
}

func TestFleetPageSchedule(t *testing.T) {
	doc := parse(t, get(t, newFleetHandler(t, standing()), "/fleet"))
	rows := doc.Find(`[data-testid="schedule-row"]`)
	if rows.Length() != 3 {
		t.Fatalf("%d schedule rows, want 3 (gone-check is not configured)", rows.Length())
	}
	want := []string{"eu-west|2026-03-01 12:00:10 UTC|mon-eu-1 until 2026-03-01 12:00:05 UTC|0",
		"us-east|2026-03-01 12:00:20 UTC|free|3", "ap-south|2026-03-01 11:59:00 UTC ⚠ overdue 1m ago|free|0"}
	for i, w := range want {
		if got := cells(rows.Eq(i)); got != w {
			t.Errorf("row %d:\n got %q\nwant %q", i, got, w)
		}
	}
}

func TestFleetPageStanding(t *testing.T) {
	tests := []struct {
		name string
		edit func(*store.Standing)
		want string
	}{
		{"database unreachable", func(s *store.Standing) { s.Err = errors.New("dial tcp: connection refused") },
			"✖ degraded the database is unreachable"},
		{"config differs", func(s *store.Standing) { s.ConfigSHA, s.Claiming = oldSHA, false },
			"✖ not claiming its config (ffff0000eeee) differs from the fleet's (a1b2c3d4e5f6)"},
		{"before the first heartbeat", func(s *store.Standing) { *s = store.Standing{Instance: "mon-eu-1", Location: "eu-west"} },
			"… not claiming yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			self := standing()
			tt.edit(&self)
			doc := parse(t, get(t, newFleetHandler(t, self), "/fleet"))
			if got := text(doc.Find(`[data-testid="self-standing"]`)); !strings.HasPrefix(got, tt.want) {
				t.Errorf("standing %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestFleetPageStoreError(t *testing.T) {
	h := New(Deps{Store: brokenStore{}, Checks: fixed(testChecks()), Fleet: standing})
	if rec := get(t, h, "/fleet"); rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
}

func TestOverviewFleetBanner(t *testing.T) {
	tests := []struct {
		name string
		edit func(*store.Standing)
		want string // "" no banner
	}{
		{"claiming", func(*store.Standing) {}, ""},
		{"database unreachable", func(s *store.Standing) { s.Err = errors.New("dial tcp: connection refused") },
			"Monitoring degraded: the database is unreachable, so this instance (mon-eu-1, eu-west) runs no check and " +
				"records nothing until it answers (last tried 2026-03-01 11:59:59 UTC); what the dashboard shows may be out of date. Fleet"},
		{"config differs", func(s *store.Standing) { s.ConfigSHA, s.Claiming = oldSHA, false },
			"This instance (mon-eu-1) runs config ffff0000eeee, not the fleet's (a1b2c3d4e5f6): it claims no check " +
				"until it loads the fleet's config. Fleet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			self := standing()
			tt.edit(&self)
			rec := get(t, newFleetHandler(t, self), "/")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			b := parse(t, rec).Find(`[data-testid="fleet-degraded"]`)
			if got := text(b); got != tt.want {
				t.Errorf("banner %q\nwant %q", got, tt.want)
			}
			if tt.want != "" && b.Find("a").AttrOr("href", "") != "/fleet" {
				t.Error("the banner does not link to /fleet")
			}
		})
	}
	h, _ := newTestHandler(t)
	if n := parse(t, get(t, h, "/")).Find(`[data-testid="fleet-degraded"]`).Length(); n != 0 {
		t.Error("a single monitor shows a fleet banner")
	}
}

// TestDegradedWhileTheDatabaseIsDown: the reads fail while the heartbeat
// says the database is unreachable: the page says so (503) instead of a
// bare 500.
func TestDegradedWhileTheDatabaseIsDown(t *testing.T) {
	self := standing()
	self.Err = errors.New("dial tcp: connection refused")
	h := New(Deps{Store: brokenStore{}, Checks: fixed(testChecks()), Now: func() time.Time { return t0 },
		Fleet: func() store.Standing { return self }})
	for _, path := range []string{"/", "/fleet"} {
		rec := get(t, h, path)
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", path, rec.Code)
		}
		doc := parse(t, rec)
		if got := text(doc.Find(`[data-testid="fleet-degraded"]`)); !strings.HasPrefix(got, "Monitoring degraded: the database is unreachable") {
			t.Errorf("%s: banner %q", path, got)
		}
		if strings.Contains(rec.Body.String(), errBroken.Error()) {
			t.Errorf("%s: the page shows the store's error", path)
		}
	}
	h = New(Deps{Store: brokenStore{}, Checks: fixed(testChecks()), Fleet: standing})
	if rec := get(t, h, "/"); rec.Code != http.StatusInternalServerError {
		t.Errorf("a broken store with a reachable database: status %d, want 500", rec.Code)
	}
}
