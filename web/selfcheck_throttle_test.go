package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// selfCheck serves the dashboard's API behind an authenticator on a fake
// clock (user admin) and returns the example's "authmon dashboard" check
// against it.
func selfCheck(t *testing.T, name string) (checks.Check, *time.Time, string) {
	t.Helper()
	a := newAuthenticator(AuthConfig{Users: map[string]string{"admin": testHash(t, canary)}})
	now := t0
	a.setClock(func() time.Time { return now })
	srv := httptest.NewServer(a.middleware(New(Deps{Store: seededStore(t), Checks: fixed(testChecks()),
		Now: func() time.Time { return t0 }})))
	t.Cleanup(srv.Close)
	probes := []checks.ProbeSpec{{Kind: checks.ProbeValid, BodyContains: `"checks"`}}
	for _, k := range []checks.ProbeKind{checks.ProbeMissing, checks.ProbeMalformed, checks.ProbeWrong} {
		probes = append(probes, checks.ProbeSpec{Kind: k, Realm: "authmon"})
	}
	ch := checks.Check{Name: name, Method: "GET", URL: srv.URL + "/api/v1/checks", Timeout: 5 * time.Second,
		MaxBody: 1 << 20, Auth: checks.Credential{Kind: checks.AuthBasic, Username: "admin", Password: canary},
		Probes: probes, Secrets: []string{canary}}
	return ch, &now, srv.URL
}

func runCheck(t *testing.T, ch checks.Check) checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return checks.Run(ctx, checks.NewClient(1), ch)
}

// TestSelfCheckNotThrottled: the monitor's check of its own dashboard sends
// a wrong password on every run; at the example's schedule (15 s) and
// faster (10 s), an hour of runs never runs into the throttle, and every
// assertion passes.
func TestSelfCheckNotThrottled(t *testing.T) {
	for _, every := range []time.Duration{15 * time.Second, 10 * time.Second} {
		t.Run(every.String(), func(t *testing.T) {
			ch, now, _ := selfCheck(t, "authmon dashboard every "+every.String())
			for run := range int(time.Hour / every) {
				res := runCheck(t, ch)
				for _, p := range res.Probes {
					if p.RateLimited {
						t.Fatalf("run %d: the %s probe was rate limited", run+1, p.Kind)
					}
				}
				if !res.Passed() {
					t.Fatalf("run %d failed: %s", run+1, res.Summary())
				}
				*now = now.Add(every)
			}
		})
	}
}

// TestSelfCheckSeesThrottle: what the dashboard's 429 looks like to the
// monitor. Before its first login the check is a stranger, so a flood from
// its own address (a proxy in front of the dashboard) throttles it: the run
// is recorded as rate limited with a Retry-After that parses (C18 passes),
// not as a failure. Once it has logged in, the same flood leaves it alone.
func TestSelfCheckSeesThrottle(t *testing.T) {
	ch, now, base := selfCheck(t, "authmon dashboard throttled")
	flood := func(from int) {
		for i := range 3 * failBurst {
			req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/checks", nil)
			req.SetBasicAuth(fmt.Sprint("root", from+i), "guess")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
		}
	}
	flood(0)
	res := runCheck(t, ch)
	valid := res.Probes[0]
	if !valid.RateLimited || !res.Passed() {
		t.Fatalf("a throttled first run: valid probe rate limited %v, result %s; want rate limited, passing",
			valid.RateLimited, res.Summary())
	}
	if len(valid.Assertions) != 1 || valid.Assertions[0].ID != "C18" || !valid.Assertions[0].Pass {
		t.Errorf("the 429's assertions %+v: want C18 passing (Retry-After parses)", valid.Assertions)
	}
	*now = now.Add(24 * time.Hour)
	ch.Name = "authmon dashboard known" // the first name's negative probes wait out Retry-After
	if res := runCheck(t, ch); !res.Passed() || res.Probes[0].RateLimited {
		t.Fatalf("after the throttle: %s", res.Summary())
	}
	flood(100)
	*now = now.Add(verifyTTL + time.Second) // the next run pays bcrypt again
	for _, p := range runCheck(t, ch).Probes {
		if p.RateLimited || !p.Passed() {
			t.Errorf("a known monitor during a flood from its address: %s probe rate limited %v, passed %v",
				p.Kind, p.RateLimited, p.Passed())
		}
	}
}
