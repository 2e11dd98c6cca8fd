package web

import (
	"context"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/internal/store"
)

// TestInsecureAndProxyShown: a check with insecure_skip_verify is marked on
// its overview row, its check page, its config and in the API; its proxy
// is shown without the password, in any spelling.
func TestInsecureAndProxyShown(t *testing.T) {
	const proxyPass = "proxy-CANARY-pw-16"
	insecure := checks.Check{Name: "private-idp", Method: "GET", URL: "https://10.0.0.7/me",
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}},
		Conn:   checks.Conn{InsecureSkipVerify: true, ServerName: "idp.internal", Proxy: "http://mon:" + proxyPass + "@proxy.internal:3128"}}
	list := append(ovChecks(), insecure)
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "insecure.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	p := ovProbe(checks.ProbeValid, "")
	p.TLS = &checks.TLSInfo{Subject: "CN=idp.internal", Issuer: "CN=someone", NotAfter: ovNow.Add(90 * 24 * time.Hour),
		Version: "TLS 1.3", Unverified: "TLS: certificate signed by an unknown authority"}
	p.Assertions = append(p.Assertions, checks.Assertion{ID: "A4", Severity: checks.SevAvail, Pass: true,
		Reason:    "with valid credentials: accepted only because insecure_skip_verify is on: TLS: certificate signed by an unknown authority",
		Deviation: "insecure_skip_verify = true: certificate verification is off for this check; it would fail: TLS: certificate signed by an unknown authority"})
	if _, _, err := s.RecordRun(ctx, ovRun("private-idp", time.Minute, time.Millisecond, p), eval); err != nil {
		t.Fatal(err)
	}
	red := redact.New(proxyPass, "mon:"+proxyPass)
	h := New(Deps{Store: s, Checks: fixed(list), Now: func() time.Time { return ovNow }, Redact: red})

	doc := ovPage(t, h, "/")
	if n := doc.Find(`[data-testid="insecure"]`).Length(); n != 1 {
		t.Fatalf("%d insecure marks, want 1", n)
	}
	if row := doc.Find(`[data-testid="insecure"]`).Closest(`[data-testid="check-row"]`); row.AttrOr("data-check", "") != "private-idp" {
		t.Fatalf("the mark is on %q", row.AttrOr("data-check", ""))
	}
	var bodies []string
	for _, path := range []string{"/checks/private-idp", "/config", "/api/v1/checks/private-idp", "/api/v1/checks/private-idp/runs",
		"/checks/private-idp/runs/1/evidence"} {
		rec := get(t, h, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		bodies = append(bodies, rec.Body.String())
	}
	page, config, api, runs := bodies[0], bodies[1], bodies[2], bodies[3]
	if !strings.Contains(page, insecureText) || !strings.Contains(config, insecureText) || !strings.Contains(config, "idp.internal") {
		t.Error("the check page or config does not flag insecure_skip_verify")
	}
	if ev := bodies[4]; !strings.Contains(ev, `data-testid="tls-unverified"`) || !strings.Contains(ev, "signed by an unknown authority") {
		t.Error("the evidence page does not say the certificate was accepted unverified")
	}
	if !strings.Contains(config, "http://mon:[REDACTED]@proxy.internal:3128") {
		t.Error("the config page does not show the proxy without its password")
	}
	if !strings.Contains(api, `"insecure_skip_verify":true`) || !strings.Contains(runs, `"insecure":true`) {
		t.Errorf("API: %s\n%s", api, runs)
	}
	for _, b := range bodies {
		for _, f := range []string{proxyPass, base64.StdEncoding.EncodeToString([]byte("mon:" + proxyPass))} {
			if strings.Contains(b, f) {
				t.Fatalf("the proxy password is shown: %q", f)
			}
		}
	}
}
