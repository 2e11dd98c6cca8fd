package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// fakeDemo is the sample API switch.
type fakeDemo struct {
	mu   sync.Mutex
	mode string
}

func (d *fakeDemo) Modes() []string { return []string{"normal", "bypass", "no-challenge"} }

func (d *fakeDemo) Mode() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mode
}

func (d *fakeDemo) SetMode(m string) error {
	if !slices.Contains(d.Modes(), m) {
		return errors.New("unknown mode")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode = m
	return nil
}

// brokenStore fails every read, to exercise the 500 path.
type brokenStore struct{}

var errBroken = errors.New("disk on fire")

func (brokenStore) Overview(context.Context) ([]store.CheckSummary, error) { return nil, errBroken }
func (brokenStore) DeliveryStatus(context.Context) (store.DeliveryStatus, error) {
	return store.DeliveryStatus{}, errBroken
}
func (brokenStore) Recent(context.Context, time.Time) ([]store.CheckRecent, error) {
	return nil, errBroken
}
func (brokenStore) Stats(context.Context, string, []time.Duration) ([]store.Window, error) {
	return nil, errBroken
}

func (brokenStore) Summary(context.Context, string) (store.CheckSummary, error) {
	return store.CheckSummary{}, errBroken
}
func (brokenStore) Runs(context.Context, string, int) ([]store.Run, error) { return nil, errBroken }
func (brokenStore) RunsPage(context.Context, string, store.RunQuery) (store.RunPage, error) {
	return store.RunPage{}, errBroken
}
func (brokenStore) Series(context.Context, string, time.Duration, time.Time, time.Time) ([]store.Bucket, error) {
	return nil, errBroken
}
func (brokenStore) LatestRunID(context.Context) (int64, error) { return 0, errBroken }
func (brokenStore) Notifications(context.Context, int) ([]store.Notification, error) {
	return nil, errBroken
}
func (brokenStore) Incidents(context.Context, int) ([]store.IncidentRecord, error) {
	return nil, errBroken
}
func (brokenStore) CheckIncidents(context.Context, string, int) ([]store.IncidentRecord, error) {
	return nil, errBroken
}
func (brokenStore) Incident(context.Context, int64) (store.IncidentRecord, error) {
	return store.IncidentRecord{}, errBroken
}

func (brokenStore) Instances(context.Context) ([]store.Instance, error)   { return nil, errBroken }
func (brokenStore) Schedule(context.Context) ([]store.ScheduleRow, error) { return nil, errBroken }
func (brokenStore) LocationResults(context.Context, string) ([]store.LocationResult, error) {
	return nil, errBroken
}
func (brokenStore) RunLocations(context.Context, []int64) (map[int64]string, error) {
	return nil, errBroken
}
func (brokenStore) AllLocationResults(context.Context) (map[string][]store.LocationResult, error) {
	return nil, errBroken
}

// newTestHandler serves the seeded store, the five checks and the demo.
func newTestHandler(t *testing.T) (http.Handler, *fakeDemo) {
	t.Helper()
	demo := &fakeDemo{mode: "normal"}
	h := New(Deps{Store: seededStore(t), Checks: fixed(testChecks()), Demo: demo, Version: "v1.2.3-test",
		Now: func() time.Time { return t0 }})
	return h, demo
}

// fixed is Deps.Checks for a config that never changes.
func fixed(list []checks.Check) func() []checks.Check {
	return func() []checks.Check { return list }
}

// get serves one GET and returns the recorder.
func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if strings.Contains(rec.Body.String(), canary) {
		t.Errorf("GET %s: response contains the canary secret", path)
	}
	return rec
}
