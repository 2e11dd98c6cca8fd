package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// A 401 whose WWW-Authenticate is present but holds no challenge fails the
// challenge assertion on every probe that gets it: RFC 9110 §11.6.1 asks
// for at least one challenge, and an empty list names none.
func TestEmptyChallengeFailsOnEveryProbe(t *testing.T) {
	for _, value := range []string{"", ",", " , "} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Www-Authenticate"] = []string{value}
			w.WriteHeader(http.StatusUnauthorized)
		}))
		ch := Check{Name: "empty challenge", Method: http.MethodGet, URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1 << 20,
			Auth: Credential{Kind: AuthBasic, Username: "u", Password: "p"},
			Probes: []ProbeSpec{{Kind: ProbeValid, Status: []int{401}}, {Kind: ProbeMissing}, {Kind: ProbeMalformed},
				{Kind: ProbeWrong}}}
		res := Run(context.Background(), http.DefaultClient, ch)
		login := Check{Name: "empty challenge login", Kind: KindLogin, URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1 << 20,
			Auth:   Credential{Kind: AuthLogin, Username: "canary", Password: "pw"},
			Login:  &LoginSpec{Status: []int{401}},
			Probes: []ProbeSpec{{Kind: ProbeLogin}, {Kind: ProbeLoginWrong}}}
		lres := Run(context.Background(), http.DefaultClient, login)
		srv.Close()
		failed := append(kindFailures(res), kindFailures(lres)...)
		for _, want := range []string{"valid/C1.challenge", "missing/C1.challenge", "malformed/C5.challenge",
			"wrong/C5.challenge", "login_wrong/C5.challenge"} {
			if !slices.Contains(failed, want) {
				t.Errorf("WWW-Authenticate %q: %s did not fail; failures %v", value, want, failed)
			}
		}
	}
}
