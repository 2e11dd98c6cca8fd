package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// throttlingTarget answers 429 with retryAfter to every request, and
// counts them.
func throttlingTarget(t *testing.T, retryAfter string, n *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// everyKind is one check of each kind against url, its positive probe
// first and then a negative one.
func everyKind(url string) []Check {
	base := Check{Method: http.MethodGet, Timeout: 2 * time.Second, MaxBody: 1 << 20}
	protected, login, token, discovery := base, base, base, base
	protected.Name, protected.URL = "protected", url
	protected.Auth = Credential{Kind: AuthBasic, Username: "u", Password: "pw-canary-9"}
	protected.Probes = []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing}, {Kind: ProbeMalformed}, {Kind: ProbeWrong}}
	login.Name, login.Kind, login.URL = "login", KindLogin, url
	login.Auth, login.Login = Credential{Kind: AuthLogin, Username: "canary", Password: "pw-canary-9"}, &LoginSpec{}
	login.Probes = []ProbeSpec{{Kind: ProbeLogin}, {Kind: ProbeLoginWrong}}
	token.Name, token.Kind, token.URL = "token", KindToken, url
	token.Token = &TokenSpec{ClientID: "c", ClientSecret: "secret-canary-9", Username: "u", Password: "pw-canary-9"}
	token.Probes = []ProbeSpec{{Kind: ProbeToken}, {Kind: ProbeTokenSecret}, {Kind: ProbeTokenPassword}}
	discovery.Name, discovery.Kind, discovery.URL = "discovery", KindDiscovery, url+"/.well-known/openid-configuration"
	discovery.Probes = []ProbeSpec{{Kind: ProbeDiscovery}}
	return []Check{protected, login, token, discovery}
}

// A 429 stops the rest of that run's negative probes, on every kind, the
// first run included: they show as skipped and are not sent.
func TestA429StopsTheRestOfTheRun(t *testing.T) {
	var n atomic.Int32
	srv := throttlingTarget(t, "60", &n)
	for _, ch := range everyKind(srv.URL) {
		n.Store(0)
		res := Run(context.Background(), http.DefaultClient, ch)
		if n.Load() != 1 {
			t.Errorf("%s: %d requests sent in a run whose first answer was 429, want 1", ch.Name, n.Load())
		}
		for _, p := range res.Probes[1:] {
			if !p.RateLimited || p.Status != 0 || !strings.Contains(p.Assertions[0].Reason, "skipped") {
				t.Errorf("%s/%s: want skipped as rate limited, got status %d %+v", ch.Name, p.Kind, p.Status, p.Assertions)
			}
		}
	}
}

// A 429 to a negative probe stops the negative probes after it.
func TestA429ToANegativeProbeStopsTheNextOnes(t *testing.T) {
	var negatives atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == "u" && p == "pw-canary-9" {
			return // 200 to good credentials
		}
		negatives.Add(1)
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	ch := everyKind(srv.URL)[0]
	res := Run(context.Background(), http.DefaultClient, ch)
	if negatives.Load() != 1 || res.Probes[0].Status != 200 {
		t.Fatalf("%d negative probes sent after the first 429, want 1; valid got %d", negatives.Load(), res.Probes[0].Status)
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// A target that answers 429 to good credentials run after run is
// unavailable: rate limited once, then an availability failure that says
// how long it has lasted, on every kind, until it answers again.
func TestPersistent429ToGoodCredentialsFails(t *testing.T) {
	ids := map[string]string{"protected": "A2", "login": "A1", "token": "A1", "discovery": "A5"}
	for _, c := range []struct {
		name, retryAfter string
		failsAt          int // the run that fails first
		why              string
	}{
		{"long pause: after 3 runs", "3600", 3, "1m0s over 3 runs, 3 runs in a row"},
		{"short pause: past the pause it asked for", "10", 2, "30s over 2 runs, past the pause it asked for"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int32
			srv := throttlingTarget(t, c.retryAfter, &n)
			for _, ch := range everyKind(srv.URL) {
				clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
				rn := NewRunner(http.DefaultClient, nil, nil)
				rn.rl.now = clock.now
				for run := 1; run <= c.failsAt; run++ {
					res := rn.Run(context.Background(), ch)
					failed := res.Failures()
					if run < c.failsAt && len(failed) > 0 {
						t.Fatalf("%s run %d: rate limited, not yet failed: %s", ch.Name, run, res.Summary())
					}
					if run == c.failsAt {
						if len(failed) != 1 || failed[0].Assertion.ID != ids[ch.Name] || failed[0].Assertion.Severity != SevAvail ||
							!strings.Contains(failed[0].Assertion.Reason, "rate limited (429) for "+c.why) {
							t.Fatalf("%s run %d: want one %s availability failure saying %q, got %s", ch.Name, run, ids[ch.Name], c.why, res.Summary())
						}
					}
					clock.t = clock.t.Add(30 * time.Second)
				}
				// Another answer ends the streak: the next 429 is "rate limited" once again.
				rn.rl.settle(ch.Name, []ProbeResult{{Kind: res0(ch), Status: 200}})
				clock.t = clock.t.Add(2 * time.Hour)
				if res := rn.Run(context.Background(), ch); !res.Passed() {
					t.Fatalf("%s: a new streak fails at once: %s", ch.Name, res.Summary())
				}
			}
		})
	}
}

// res0 is the kind of the check's first probe.
func res0(ch Check) ProbeKind { return ch.Probes[0].Kind }
