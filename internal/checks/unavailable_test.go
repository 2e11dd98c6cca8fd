package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A target that is down answers 503 to every probe: that is one availability
// failure per probe, not a cascade of conformance failures about the error
// page's missing challenge.
func TestDownTargetIsUnavailableNotNonConformant(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ch := Check{Name: "down", Method: http.MethodGet, URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:   Credential{Kind: AuthBasic, Username: "u", Password: "p"},
		Probes: []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing}, {Kind: ProbeMalformed}, {Kind: ProbeWrong}}}
	res := Run(context.Background(), http.DefaultClient, ch)
	for _, f := range res.Failures() {
		if f.Assertion.Severity != SevAvail || f.Assertion.ID != "A2" {
			t.Errorf("%s: %s (%s), want only A2 availability failures", f.Probe, f.Assertion.ID, f.Assertion.Severity)
		}
	}
	if got := len(res.Failures()); got != 4 {
		t.Fatalf("want one failure per probe, got %d: %s", got, res.Summary())
	}
}
