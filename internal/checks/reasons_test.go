package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// findAssertion returns the first assertion with id on the probe of kind k.
func findAssertion(t *testing.T, r Result, k ProbeKind, id string) Assertion {
	t.Helper()
	for _, p := range r.Probes {
		if p.Kind != k {
			continue
		}
		for _, a := range p.Assertions {
			if a.ID == id {
				return a
			}
		}
	}
	t.Fatalf("no %s on %s in %s", id, k, r.Summary())
	return Assertion{}
}

// A Bearer challenge with a realm passes C6.params, and its reason quotes
// the challenge rather than calling it bare.
func TestBearerChallengeWithRealmIsNotCalledBare(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	ch := Check{Name: "bearer realm", Method: http.MethodGet, URL: srv.URL, Timeout: 2 * time.Second,
		Probes: []ProbeSpec{{Kind: ProbeMissing, Scheme: "Bearer"}}}
	a := findAssertion(t, Run(context.Background(), http.DefaultClient, ch), ProbeMissing, "C6.params")
	if !a.Pass || strings.Contains(a.Reason, "bare") || !strings.Contains(a.Reason, `Bearer realm="api"`) {
		t.Errorf("C6.params = pass %v, reason %q; want a pass quoting the challenge", a.Pass, a.Reason)
	}
}

// A token endpoint that no longer takes the configured client secret (it
// was rotated on the server) fails A1 saying "401 invalid_client" and what
// to check.
func TestRotatedClientSecretSaysWhatToCheck(t *testing.T) {
	srv := tokenEndpoint(nil)
	defer srv.Close()
	ch := tokenCheck(t, srv, TokenSpec{})
	ch.Token.ClientSecret = "the-secret-before-rotation"
	ch.Probes = []ProbeSpec{{Kind: ProbeToken}}
	a := findAssertion(t, Run(context.Background(), srv.Client(), ch), ProbeToken, "A1")
	if a.Pass || !strings.Contains(a.Reason, "401 invalid_client") || !strings.Contains(a.Reason, "client secret (was it rotated?)") {
		t.Errorf("A1 = pass %v, reason %q; want 401 invalid_client and the client secret to check", a.Pass, a.Reason)
	}
}
