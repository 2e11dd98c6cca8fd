package web

import (
	"context"
	"path/filepath"
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

// testChecks configures five checks: one that passes, one that fails with
// hostile evidence and no "wrong" probe, one that failed and recovered, one
// that flaps, and one that has never run.
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
		{Name: "api-flaky", Schedule: "@every 2m", Method: "GET", URL: "http://127.0.0.1:8081/flaky",
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeMissing}}},
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

// flakyRun passes or fails on availability: the valid probe gets a 503.
func flakyRun(at time.Time, ok bool) checks.Result {
	u := "http://127.0.0.1:8081/flaky"
	v := checks.Assertion{ID: "V1", Ref: "RFC 9110 §15.3", Severity: checks.SevAvail, Pass: true,
		Expected: "2xx", Got: "200", Reason: "with valid credentials: got 200 OK"}
	status, text := 200, "OK"
	if !ok {
		status, text = 503, "Service Unavailable"
		v.Pass, v.Got, v.Reason = false, "503", "with valid credentials: expected 2xx, got 503 Service Unavailable"
	}
	return checks.Result{Check: "api-flaky", Started: at, Duration: 12 * time.Millisecond, Probes: []checks.ProbeResult{
		probe(checks.ProbeValid, u, status, text, v),
		probe(checks.ProbeMissing, u, 401, "Unauthorized", pass("B1", "RFC 9110 §15.5.2", "401")),
	}}
}

// seedRuns is the history of every check, in the order it happened:
//   - api-key failed once (incident #1, resolved after 5m);
//   - api-flaky failed (incident #2, resolved), then failed again and so
//     started flapping (incident #3, open, not announced);
//   - api-bearer fails (incident #4, open, critical);
//   - api-basic passes; the pending check never ran.
func seedRuns() []checks.Result {
	m := func(n int) time.Time { return t0.Add(-time.Duration(n) * time.Minute) }
	return []checks.Result{
		keyRun(m(15), 401), keyRun(m(10), 200), flakyRun(m(8), true), flakyRun(m(6), false),
		keyRun(m(5), 401), flakyRun(m(4), true), flakyRun(m(2), false),
		basicRun(t0.Add(-90 * time.Second)), bearerRun(t0.Add(-20 * time.Second)), basicRun(t0.Add(-12 * time.Second)),
	}
}

// testPolicy opens and resolves on the first run, so each fixture run
// matters, and calls three changes in the flap window flapping.
func testPolicy() alert.Policy {
	p := alert.DefaultPolicy()
	p.FailureThreshold, p.SuccessThreshold, p.FlapChanges = 1, 1, 3
	return p
}

// seededStore opens a real SQLite store and records runs through
// alert.Decide, as the scheduler does, so incidents and alerts are stored.
func seededStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "authmon.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetFolding(false) // a row per seeded run, as the tests count them (fold_test.go folds)
	for _, res := range seedRuns() {
		if _, _, err := s.RecordRun(ctx, res, eval); err != nil {
			t.Fatal(err)
		}
	}
	markDeliveries(t, s)
	return s
}

// testThread is the Slack thread of api-key's incident.
var testThread = alert.Thread{Channel: "C0AUTHMON", TS: "1772366460.000100"}

// markDeliveries gives the queued alerts every delivery state.
func markDeliveries(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	ns, err := s.Notifications(ctx, 10)
	if err != nil || len(ns) != 6 {
		t.Fatalf("notifications = %d, %v; want 6", len(ns), err)
	}
	// Newest first: bearer opened, flaky flapping (left untried), flaky
	// resolved, key resolved, flaky opened, key opened.
	for _, err := range []error{
		s.MarkRetry(ctx, ns[0].ID, t0.Add(time.Minute), "slack: "+xss),
		s.MarkSent(ctx, ns[2].ID, t0.Add(-4*time.Minute), alert.Thread{}),
		s.MarkFailed(ctx, ns[3].ID, "channel_not_found"),
		s.MarkSent(ctx, ns[4].ID, t0.Add(-6*time.Minute), alert.Thread{}),
		s.MarkSent(ctx, ns[5].ID, t0.Add(-9*time.Minute), testThread),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}
