package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// canary is configured as every kind of secret; no response may contain it.
const canary = "CANARY-s3cret"

// xss is what a hostile target puts in every field it controls.
const xss = "<script>alert(1)</script>"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// pendingName has a space, a slash and a non-ASCII letter, to exercise escaping.
const pendingName = "pending one/β"

func allProbes() []checks.ProbeSpec {
	return []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeMissing}, {Kind: checks.ProbeWrong}}
}

// testChecks configures four checks: one that passes, one that fails with
// hostile evidence and no "wrong" probe, one that failed and recovered, and
// one that has never run.
func testChecks() []checks.Check {
	secrets := []string{canary}
	return []checks.Check{
		{Name: "api-basic", Schedule: "@every 30s", Timeout: 5 * time.Second, Method: "GET",
			URL:     "http://monitor:" + canary + "@127.0.0.1:8081/basic?key=" + canary,
			Headers: map[string]string{"X-Extra": canary}, Secrets: secrets, Probes: allProbes(),
			Auth: checks.Credential{Kind: checks.AuthBasic, Username: "monitor", Password: canary}},
		{Name: "api-bearer", Schedule: "@every 1m", Method: "GET", URL: "http://127.0.0.1:8081/bearer",
			Auth: checks.Credential{Kind: checks.AuthBearer, Token: canary}, Secrets: secrets,
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeMissing}}},
		{Name: "api-key", Schedule: "@every 1m", Method: "POST", URL: "http://127.0.0.1:8081/key",
			Auth:    checks.Credential{Kind: checks.AuthAPIKey, Header: "X-API-Key", Key: canary},
			Secrets: secrets, Probes: allProbes()},
		{Name: pendingName, Schedule: "@hourly", Method: "GET", URL: "http://127.0.0.1:8081/later",
			Probes: allProbes()},
	}
}

func pass(id, ref, exp string) checks.Assertion {
	return checks.Assertion{ID: id, Ref: ref, Severity: checks.SevConf, Pass: true, Expected: exp, Got: exp,
		Reason: "ok: " + exp}
}

func probe(kind checks.ProbeKind, url string, status int, text string, as ...checks.Assertion) checks.ProbeResult {
	p := checks.ProbeResult{Kind: kind, Method: "GET", URL: url, Status: status, StatusText: text,
		Latency: 7 * time.Millisecond, Assertions: as}
	if status == 401 {
		p.Challenges = []checks.Challenge{{Scheme: "Basic", Params: []checks.Param{
			{Name: "realm", Value: "authmon-demo", Quoted: true}, {Name: "charset", Value: "UTF-8", Quoted: true}}}}
	}
	return p
}

func basicRun(at time.Time) checks.Result {
	u := "http://127.0.0.1:8081/basic"
	return checks.Result{Check: "api-basic", Started: at, Duration: 23 * time.Millisecond, Probes: []checks.ProbeResult{
		probe(checks.ProbeValid, u, 200, "OK", pass("V1", "RFC 9110 §15.3", "2xx")),
		probe(checks.ProbeMissing, u, 401, "Unauthorized", pass("B1", "RFC 9110 §15.5.2", "401"),
			pass("C1", "RFC 9110 §11.6.1", "Basic challenge")),
		probe(checks.ProbeWrong, u, 401, "Unauthorized", pass("W1", "RFC 9110 §15.5.2", "401")),
	}}
}

// bearerRun fails: the missing probe gets in, and everything the target
// controls is hostile markup.
func bearerRun(at time.Time) checks.Result {
	u := "http://127.0.0.1:8081/bearer"
	missing := probe(checks.ProbeMissing, u, 200, xss, checks.Assertion{ID: "B1", Ref: "RFC 9110 §15.5.2",
		Severity: checks.SevCritical, Expected: "401", Got: "200 " + xss,
		Reason: "without credentials: expected 401, got 200 " + xss})
	missing.Challenges = []checks.Challenge{{Scheme: "Bearer", Params: []checks.Param{{Name: "realm", Value: xss, Quoted: true}}}}
	missing.ChallengeProblems = []string{"field 0, byte 7: " + xss}
	missing.Error = "read body: " + xss
	return checks.Result{Check: "api-bearer", Started: at, Duration: 31 * time.Millisecond, Probes: []checks.ProbeResult{
		probe(checks.ProbeValid, u, 200, "OK", pass("V1", "RFC 9110 §15.3", "2xx")), missing,
	}}
}

func keyRun(at time.Time, status int) checks.Result {
	u := "http://127.0.0.1:8081/key"
	a := pass("B1", "RFC 9110 §15.5.2", "401")
	if status != 401 {
		a.Pass, a.Severity, a.Got, a.Reason = false, checks.SevCritical, "200", "without credentials: expected 401, got 200 OK"
	}
	return checks.Result{Check: "api-key", Started: at, Duration: 9 * time.Millisecond, Probes: []checks.ProbeResult{
		probe(checks.ProbeValid, u, 200, "OK", pass("V1", "RFC 9110 §15.3", "2xx")),
		probe(checks.ProbeMissing, u, status, "", a),
		probe(checks.ProbeWrong, u, 401, "Unauthorized", pass("W1", "RFC 9110 §15.5.2", "401")),
	}}
}

// seededStore opens a real SQLite store and records runs through
// alert.Evaluate, as the scheduler does, so alerts land in the outbox.
func seededStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "authmon.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, res := range []checks.Result{
		basicRun(t0.Add(-90 * time.Second)), basicRun(t0.Add(-12 * time.Second)),
		keyRun(t0.Add(-10*time.Minute), 200), keyRun(t0.Add(-5*time.Minute), 401),
		bearerRun(t0.Add(-20 * time.Second)),
	} {
		if _, _, err := s.RecordRun(ctx, res, alert.Evaluate); err != nil {
			t.Fatal(err)
		}
	}
	markDeliveries(t, s)
	return s
}

// markDeliveries gives the three queued alerts three delivery states.
func markDeliveries(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	ns, err := s.Notifications(ctx, 10)
	if err != nil || len(ns) != 3 {
		t.Fatalf("notifications = %d, %v; want 3", len(ns), err)
	}
	// Newest first: bearer regressed, key recovered, key regressed.
	if err := s.MarkRetry(ctx, ns[0].ID, t0.Add(time.Minute), "slack: "+xss); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, ns[1].ID, "channel_not_found"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, ns[2].ID, t0.Add(-9*time.Minute)); err != nil {
		t.Fatal(err)
	}
}

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
func (brokenStore) Runs(context.Context, string, int) ([]store.Run, error) { return nil, errBroken }
func (brokenStore) Notifications(context.Context, int) ([]store.Notification, error) {
	return nil, errBroken
}

// newTestHandler serves the seeded store, the four checks and the demo.
func newTestHandler(t *testing.T) (http.Handler, *fakeDemo) {
	t.Helper()
	demo := &fakeDemo{mode: "normal"}
	h := New(Deps{Store: seededStore(t), Checks: testChecks(), Demo: demo, Version: "v1.2.3-test",
		Now: func() time.Time { return t0 }})
	return h, demo
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
