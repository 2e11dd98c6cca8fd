package web

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/checks"
)

// evidenceRun is a run whose probes recorded everything a probe can.
func evidenceRun(at time.Time) checks.Result {
	u := "https://127.0.0.1:8443/basic"
	valid := probe(checks.ProbeValid, u, 200, "OK", pass("A2", "", "2xx"))
	valid.RequestHeaders = []checks.Header{{Name: "Authorization", Value: "Basic [REDACTED]"}, {Name: "User-Agent", Value: "authmon"}}
	valid.Headers = []checks.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Set-Cookie", Value: "sid=[REDACTED]; HttpOnly"}}
	valid.Body, valid.BodyTruncated = `{"user":"canary","note":"`+xss+`"}`, true
	valid.Timing = checks.Timing{DNS: 2 * time.Millisecond, Connect: 3 * time.Millisecond, TLS: 10 * time.Millisecond,
		FirstByte: 20 * time.Millisecond, Total: 40 * time.Millisecond}
	valid.TLS = &checks.TLSInfo{Subject: "CN=api.example.com", Issuer: "CN=Example CA", NotAfter: t0.Add(20 * 24 * time.Hour), Version: "TLS 1.3"}
	tlsWarn := checks.Assertion{ID: "A4.30", Severity: checks.SevWarn, Pass: false, Expected: "notAfter more than 30 days away",
		Got: "20 days", Reason: "certificate expires in 20 days"}
	valid.Assertions = append(valid.Assertions, tlsWarn)
	missing := probe(checks.ProbeMissing, u, 403, "Forbidden", checks.Assertion{ID: "C1.challenge", Ref: "RFC 9110 §15.5.2",
		Severity: checks.SevConf, Pass: true, Expected: "401 with a Basic challenge", Got: "403 Forbidden",
		Reason: "without credentials: 403 accepted", Deviation: "403 is allowed by this check; RFC 9110 §11.4 expects 401 with a challenge"})
	missing.Timing = checks.Timing{FirstByte: 5 * time.Millisecond, Total: 6 * time.Millisecond, Reused: true}
	wrong := probe(checks.ProbeWrong, u, 429, "Too Many Requests", pass("C18", "RFC 6585 §4", "Retry-After"))
	wrong.RateLimited = true
	return checks.Result{Check: "api-basic", Started: at, Duration: 50 * time.Millisecond,
		Probes: []checks.ProbeResult{valid, missing, wrong}}
}

// TestCheckPageEvidence shows everything a probe recorded, and what each
// assertion means.
func TestCheckPageEvidence(t *testing.T) {
	h := historyHandler(t, historyStore(t, 0, evidenceRun(t0.Add(-time.Minute))))
	doc := parse(t, get(t, h, "/checks/api-basic"))
	valid := doc.Find(`[data-testid="run"]`).First().Find(`[data-testid="probe"][data-kind="valid"]`)
	for id, want := range map[string]string{
		"request":  "GET https://127.0.0.1:8443/basic\nAuthorization: Basic [REDACTED]\nUser-Agent: authmon",
		"response": "200 OK\nContent-Type: application/json\nSet-Cookie: sid=[REDACTED]; HttpOnly",
		"body":     `{"user":"canary","note":"` + xss + `"}`,
		"tls":      "CN=api.example.com, valid until 2026-03-21 12:00:00 UTC (TLS 1.3, issued by CN=Example CA)",
	} {
		got := valid.Find(`[data-testid="` + id + `"]`).Text()
		if id == "tls" {
			got = text(valid.Find(`[data-testid="tls"]`))
		}
		if got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if _, open := valid.Find(`[data-testid="exchange"]`).Attr("open"); !open {
		t.Error("the failing probe's exchange is not open")
	}
	phases := valid.Find(`[data-testid="phase"]`).Map(func(_ int, s *goquery.Selection) string { return text(s) })
	if got := strings.Join(phases, "|"); got != "DNS 2.0 ms|Connect 3.0 ms|TLS 10 ms|First byte 20 ms|Rest 5.0 ms" {
		t.Errorf("waterfall %q", got)
	}
	tlsRow := valid.Find(`[data-testid="assertion"][data-id="A4.30"]`)
	if s := text(tlsRow.Find(`[data-testid="explain"]`)); !strings.Contains(s, "certificate is valid") {
		t.Errorf("A4.30 explanation %q", s)
	}
	if ref := text(tlsRow.Find(`td[data-label="Ref"]`)); ref != "RFC 5280 §4.1.2.5; RFC 9110 §17.16.1" {
		t.Errorf("A4.30 ref from the catalogue = %q", ref)
	}
	missing := doc.Find(`[data-testid="probe"][data-kind="missing"]`).First()
	row := missing.Find(`[data-testid="assertion"][data-id="C1.challenge"]`)
	if !row.HasClass("deviation") || !strings.Contains(text(row.Find(`[data-testid="explain"]`)), "401 with a WWW-Authenticate") {
		t.Errorf("C1.challenge row: class %q, explanation %q", row.AttrOr("class", ""), text(row.Find(`[data-testid="explain"]`)))
	}
	if d := text(row.Find(`[data-testid="deviation"]`)); d != "⚠ accepted by config: 403 is allowed by this check; RFC 9110 §11.4 expects 401 with a challenge" {
		t.Errorf("deviation %q", d)
	}
	if s := text(missing.Find(`[data-testid="waterfall"] figcaption`)); s != "Timing: 6.0 ms (connection reused: no DNS, connect or TLS)" {
		t.Errorf("reused connection caption %q", s)
	}
	if s := text(doc.Find(`[data-testid="probe"][data-kind="wrong"] [data-testid="rate-limited"]`)); s != "rate limited: recorded, not judged" {
		t.Errorf("rate limited tag %q", s)
	}
}
