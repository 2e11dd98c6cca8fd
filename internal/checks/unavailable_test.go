package checks

import (
	"context"
	"fmt"
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

func TestBasicChallengeForm(t *testing.T) {
	cases := []struct {
		header string
		failed []string
	}{
		{`Basic realm="r", charset="UTF-8"`, nil},
		{`Basic realm="r", charset="utf-8"`, nil},
		{`Basic realm=r`, []string{"C4.quoted"}},
		{`Basic realm="r", charset="ISO-8859-1"`, []string{"C4.charset"}},
		{`Basic charset="UTF-8"`, []string{"C4"}},
	}
	for _, tc := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", tc.header)
			w.WriteHeader(http.StatusUnauthorized)
		}))
		ch := Check{Name: "basic form", Method: http.MethodGet, URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1 << 20,
			Probes: []ProbeSpec{{Kind: ProbeMissing, Scheme: "Basic"}}}
		res := Run(context.Background(), http.DefaultClient, ch)
		srv.Close()
		var got []string
		for _, f := range res.Failures() {
			got = append(got, f.Assertion.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.failed) {
			t.Errorf("%s: failed %v, want %v", tc.header, got, tc.failed)
		}
	}
}
