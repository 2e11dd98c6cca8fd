package checks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// enumerationAPI answers every failed login; known tells the canary user
// (who exists) from anyone else.
func enumerationAPI(answer func(w http.ResponseWriter, user string, known bool), tries *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := credentialsOf(r, "username", "password")
		tries.Add(1)
		answer(w, user, user == "canary")
	}))
}

func enumerationCheck(t *testing.T, srv *httptest.Server, samples int) Check {
	return Check{Name: t.Name() + "-" + randomHex(4), Kind: KindLogin, URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:        Credential{Kind: AuthLogin, Username: "canary", Password: passwordCanary},
		Login:       &LoginSpec{},
		Enumeration: &EnumerationSpec{Samples: samples, Threshold: 100 * time.Millisecond},
		Probes:      []ProbeSpec{{Kind: ProbeEnumeration}}}
}

func TestEnumerationProbeTellsUnknownUsersApart(t *testing.T) {
	generic := func(w http.ResponseWriter) {
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"invalid username or password"}`))
	}
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, user string, known bool)
		want   []string
	}{
		{"indistinguishable", func(w http.ResponseWriter, user string, known bool) { generic(w) }, nil},
		{"status", func(w http.ResponseWriter, user string, known bool) {
			if !known {
				w.WriteHeader(404)
				w.Write([]byte(`{"error":"invalid username or password"}`))
				return
			}
			generic(w)
		}, []string{"enumeration/B11.status"}},
		{"JSON members", func(w http.ResponseWriter, user string, known bool) {
			if known {
				w.WriteHeader(401)
				w.Write([]byte(`{"error":"invalid username or password","attempts_left":4}`))
				return
			}
			generic(w)
		}, []string{"enumeration/B11.body"}},
		{"body length", func(w http.ResponseWriter, user string, known bool) {
			w.WriteHeader(401)
			if known {
				w.Write([]byte("Login failed."))
				return
			}
			w.Write([]byte("Login failed: we have no account of that name."))
		}, []string{"enumeration/B11.body"}},
		{"user name echoed alike", func(w http.ResponseWriter, user string, known bool) {
			w.Header().Set("Location", "/login?user="+user+"&error=1")
			w.WriteHeader(303)
			w.Write([]byte("Login failed for " + user))
		}, nil},
		{"header set", func(w http.ResponseWriter, user string, known bool) {
			if known {
				http.SetCookie(w, &http.Cookie{Name: "failures", Value: "1"})
			}
			generic(w)
		}, []string{"enumeration/B11.headers"}},
		{"latency (quick exit for unknown users)", func(w http.ResponseWriter, user string, known bool) {
			if known {
				time.Sleep(250 * time.Millisecond) // hashing the password
			}
			generic(w)
		}, []string{"enumeration/B11.timing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tries atomic.Int32
			srv := enumerationAPI(c.answer, &tries)
			defer srv.Close()
			res := Run(context.Background(), srv.Client(), enumerationCheck(t, srv, 3))
			if got := kindFailures(res); !slices.Equal(got, c.want) {
				b, _ := json.MarshalIndent(res.Probes, "", " ")
				t.Fatalf("failed %v, want %v\n%s", got, c.want, b)
			}
			if tries.Load() != 6 {
				t.Fatalf("%d failed logins sent, want 3 interleaved pairs", tries.Load())
			}
			for _, a := range res.Probes[0].Assertions {
				if a.Severity != SevHighSec {
					t.Errorf("%s has severity %s, want high-security", a.ID, a.Severity)
				}
			}
		})
	}
}

func TestEnumerationRunsAtMostOncePerEvery(t *testing.T) {
	var tries atomic.Int32
	srv := enumerationAPI(func(w http.ResponseWriter, user string, known bool) { w.WriteHeader(401) }, &tries)
	defer srv.Close()
	ch := enumerationCheck(t, srv, 2)
	ch.Probes = []ProbeSpec{{Kind: ProbeLoginWrong}, {Kind: ProbeEnumeration}}
	rn := NewRunner(srv.Client(), nil, nil)
	first := rn.Run(context.Background(), ch)
	second := rn.Run(context.Background(), ch)
	if len(first.Probes) != 2 || first.Probes[1].Kind != ProbeEnumeration {
		t.Fatalf("first run probes %+v, want login_wrong and enumeration", first.Probes)
	}
	if len(second.Probes) != 1 || second.Probes[0].Kind != ProbeLoginWrong {
		t.Fatalf("second run probes %+v: enumeration is left out until Every has passed", second.Probes)
	}
	if tries.Load() != 1+4+1 {
		t.Fatalf("%d failed logins, want 6", tries.Load())
	}
}

func TestEnumerationStopsAtTheFirst429(t *testing.T) {
	var tries atomic.Int32
	srv := enumerationAPI(func(w http.ResponseWriter, user string, known bool) {
		if tries.Load() >= 3 {
			w.Header().Set("Retry-After", "600")
			w.WriteHeader(429)
			return
		}
		w.WriteHeader(401)
	}, &tries)
	defer srv.Close()
	ch := enumerationCheck(t, srv, 10)
	rn := NewRunner(srv.Client(), nil, nil)
	res := rn.Run(context.Background(), ch)
	if tries.Load() != 3 {
		t.Fatalf("%d failed logins sent, want a stop at the first 429 (the 3rd)", tries.Load())
	}
	p := res.Probes[0]
	if !p.RateLimited || !res.Passed() {
		t.Fatalf("probe %+v: want rate limited, not a failure", p)
	}
	// The pause also holds the other negative probes of the check.
	ch.Probes = []ProbeSpec{{Kind: ProbeLoginWrong}}
	res = rn.Run(context.Background(), ch)
	if tries.Load() != 3 || !res.Probes[0].RateLimited {
		t.Fatalf("login_wrong sent during the pause: %d tries, %+v", tries.Load(), res.Probes[0])
	}
}
