package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/store"
)

// statusComponents give the test checks customer-facing names: Sign-in is
// degraded (api-bearer fails a critical assertion), Payments is down
// (api-flaky fails on availability), Keys is fine and Coming soon has not
// run yet.
func statusComponents() []StatusComponent {
	return []StatusComponent{
		{Name: "Sign-in", Description: "Logging in to the app", Checks: []string{"api-basic", "api-bearer"}},
		{Name: "Payments", Checks: []string{"api-flaky"}},
		{Name: "Keys", Checks: []string{"api-key"}},
		{Name: "Coming soon", Checks: []string{pendingName}},
	}
}

// countingStore is the real store, counting the reads the status page makes.
type countingStore struct {
	*store.Store
	overview, series, notes atomic.Int64
	fail                    atomic.Bool // Overview fails, as a broken disk would
}

func (c *countingStore) Overview(ctx context.Context) ([]store.CheckSummary, error) {
	c.overview.Add(1)
	if c.fail.Load() {
		return nil, errBroken
	}
	return c.Store.Overview(ctx)
}

func (c *countingStore) Series(ctx context.Context, check string, step time.Duration, from, to time.Time) ([]store.Bucket, error) {
	c.series.Add(1)
	return c.Store.Series(ctx, check, step, from, to)
}

func (c *countingStore) StatusNotes(ctx context.Context, since time.Time, limit int) ([]store.StatusNote, error) {
	c.notes.Add(1)
	return c.Store.StatusNotes(ctx, since, limit)
}

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type statusFixture struct {
	h     http.Handler
	st    *countingStore
	clock *testClock
}

// newStatusHandler serves the seeded store with the status page, behind auth.
func newStatusHandler(t *testing.T, auth AuthConfig) statusFixture {
	t.Helper()
	st := &countingStore{Store: seededStore(t)}
	clock := &testClock{now: t0}
	page := NewStatusPage("Acme status", 30*time.Second, statusComponents(), st)
	h := New(Deps{Store: st, Checks: fixed(testChecks()), Now: clock.Now, Auth: auth, StatusPage: page})
	return statusFixture{h: h, st: st, clock: clock}
}

func getStatusJSON(t *testing.T, h http.Handler) statusJSON {
	t.Helper()
	rec := get(t, h, "/status.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("/status.json: %d %s", rec.Code, rec.Body)
	}
	var out statusJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStatusPageStates: each component's state follows its checks' states
// and severities, and the page's is the worst of them.
func TestStatusPageStates(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{})
	got := getStatusJSON(t, f.h)
	want := map[string]string{"Sign-in": stateDegraded, "Payments": stateOutage, "Keys": stateOperational,
		"Coming soon": stateUnknown}
	if got.Title != "Acme status" || got.State != stateOutage || len(got.Components) != len(want) {
		t.Fatalf("status = %q %q %d components", got.Title, got.State, len(got.Components))
	}
	for _, c := range got.Components {
		if c.State != want[c.Name] {
			t.Errorf("%s: state %q, want %q", c.Name, c.State, want[c.Name])
		}
		if len(c.Days) != statusDays || c.Days[statusDays-1].Date != "2026-03-01" || c.Days[0].Date != "2025-12-02" {
			t.Errorf("%s: %d days from %v", c.Name, len(c.Days), c.Days[0])
		}
	}
	// Sign-in today: api-basic passed twice, api-bearer failed once.
	signIn := got.Components[0]
	if today := signIn.Days[statusDays-1]; today.Uptime == nil || *today.Uptime != 66.667 || today.State != stateOutage {
		t.Errorf("Sign-in today = %+v, want 66.667 %% and outage", today)
	}
	if signIn.Days[0].Uptime != nil || signIn.Days[0].State != stateUnknown {
		t.Errorf("a day without runs = %+v, want no uptime", signIn.Days[0])
	}
	if soon := got.Components[3]; soon.Uptime != nil {
		t.Errorf("a component that never ran has uptime %v", *soon.Uptime)
	}
	body := get(t, f.h, "/status").Body.String()
	for _, want := range []string{"Some systems are down", "Sign-in", "Logging in to the app", "Degraded", "Outage",
		"Operational", "No data yet", "66.67 % uptime", "No updates in the last 14 days."} {
		if !strings.Contains(body, want) {
			t.Errorf("/status lacks %q", want)
		}
	}
}

// TestStatusPageDisabled: without [status_page] both paths are 404, and
// behind auth they are not opened.
func TestStatusPageDisabled(t *testing.T) {
	h := New(Deps{Store: seededStore(t), Checks: fixed(testChecks()), Now: func() time.Time { return t0 }})
	for _, path := range []string{"/status", "/status.json", "/status-admin"} {
		if rec := get(t, h, path); rec.Code != http.StatusNotFound {
			t.Errorf("%s without a status page: %d, want 404", path, rec.Code)
		}
	}
	authed := newAuthHandler(t, AuthConfig{Users: map[string]string{"alice": testHash(t, canary)}})
	if rec := get(t, authed, "/status"); rec.Code != http.StatusUnauthorized {
		t.Errorf("/status without a status page, behind auth: %d, want 401", rec.Code)
	}
}

// TestStatusPagePublicBehindAuth: the page and its JSON need no login when
// the dashboard does; the admin page and its form still do.
func TestStatusPagePublicBehindAuth(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{Users: map[string]string{"alice": testHash(t, canary)}})
	for _, path := range []string{"/status", "/status.json", "/static/status.css"} {
		if rec := get(t, f.h, path); rec.Code != http.StatusOK {
			t.Errorf("%s without credentials: %d, want 200", path, rec.Code)
		}
	}
	for _, path := range []string{"/status-admin", "/status/", "/status.json/x", "/", "/api/v1/checks"} {
		if rec := get(t, f.h, path); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d, want 401", path, rec.Code)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/status-admin/notes", strings.NewReader("body=x"))
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("posting a note without credentials: %d, want 401", rec.Code)
	}
}

// TestStatusPageCached: a flood of visitors reads the store once per cache
// period, whatever the representation, and a client holding the page gets
// 304.
func TestStatusPageCached(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := []string{"/status", "/status.json"}[i%2]
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				t.Errorf("%s: %d", path, rec.Code)
			}
		}()
	}
	wg.Wait()
	const checksShown = 5 // one series per check of every component
	if o, s, n := f.st.overview.Load(), f.st.series.Load(), f.st.notes.Load(); o != 1 || s != checksShown || n != 1 {
		t.Fatalf("200 requests read the overview %d times, series %d, notes %d: want 1, %d, 1", o, s, checksShown, n)
	}
	rec := get(t, f.h, "/status")
	etag, cc := rec.Header().Get("ETag"), rec.Header().Get("Cache-Control")
	if etag == "" || cc != "public, max-age=30" || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("ETag %q, Cache-Control %q, Set-Cookie %q", etag, cc, rec.Header().Get("Set-Cookie"))
	}
	req := httptest.NewRequest(http.MethodGet, "/status", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current ETag: %d, %d bytes; want 304", rec.Code, rec.Body.Len())
	}
	f.clock.Add(29 * time.Second)
	get(t, f.h, "/status")
	if o := f.st.overview.Load(); o != 1 {
		t.Errorf("within the period the store was read again (%d)", o)
	}
	f.clock.Add(time.Second)
	get(t, f.h, "/status.json")
	if o := f.st.overview.Load(); o != 2 {
		t.Errorf("after the period: %d overview reads, want 2", o)
	}
}

// TestStatusPageStaleOnStoreError: once rendered, the page survives the
// store failing; without a rendering it is a 503, not a 500 with details.
func TestStatusPageStaleOnStoreError(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{})
	before := get(t, f.h, "/status").Body.String()
	f.st.fail.Store(true)
	f.clock.Add(time.Minute)
	if rec := get(t, f.h, "/status"); rec.Code != http.StatusOK || rec.Body.String() != before {
		t.Errorf("store failing after a rendering: %d, same page %v", rec.Code, rec.Body.String() == before)
	}
	get(t, f.h, "/status")
	if o := f.st.overview.Load(); o != 2 {
		t.Errorf("a failing store was read %d times, want 2: the stale page is kept for a period", o)
	}
	page := NewStatusPage("x", time.Minute, statusComponents(), brokenNotes{})
	h := New(Deps{Store: brokenStore{}, Now: func() time.Time { return t0 }, StatusPage: page})
	rec := get(t, h, "/status.json")
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), errBroken.Error()) {
		t.Errorf("broken store: %d %q, want 503 without the error", rec.Code, rec.Body)
	}
}

type brokenNotes struct{}

func (brokenNotes) AddStatusNote(context.Context, store.StatusNote) (int64, error) {
	return 0, errBroken
}
func (brokenNotes) StatusNotes(context.Context, time.Time, int) ([]store.StatusNote, error) {
	return nil, errBroken
}

// postNote posts the note form as a signed-in browser would: it opens the
// admin page first for its cookie and the form token bound to the user.
func postNote(t *testing.T, h http.Handler, form url.Values, user string) *httptest.ResponseRecorder {
	t.Helper()
	page := httptest.NewRequest(http.MethodGet, "http://monitor.test/status-admin", nil)
	if user != "" {
		page.SetBasicAuth(user, canary)
	}
	got := httptest.NewRecorder()
	h.ServeHTTP(got, page)
	token, _ := parse(t, got).Find(`form input[name="csrf"]`).First().Attr("value")
	form.Set(csrfFormField, token)
	req := httptest.NewRequest(http.MethodPost, "http://monitor.test/status-admin/notes", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range got.Result().Cookies() {
		req.AddCookie(c)
	}
	if user != "" {
		req.SetBasicAuth(user, canary)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestStatusDayLevel: a day's bar by its share of passing runs.
func TestStatusDayLevel(t *testing.T) {
	for _, tt := range []struct {
		runs, failed int64
		want         string
	}{
		{0, 0, stateUnknown}, {2880, 0, stateOperational}, {2880, 2, stateOperational}, {1000, 1, stateOperational},
		{1000, 2, stateDegraded}, {100, 1, stateDegraded}, {100, 2, stateOutage}, {3, 1, stateOutage},
	} {
		if got := (statusDay{Runs: tt.runs, Failed: tt.failed}).level(); got != tt.want {
			t.Errorf("%d of %d runs failed: %s, want %s", tt.failed, tt.runs, got, tt.want)
		}
	}
}
