package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// seen records what each request presented, in order.
type seen struct {
	mu   sync.Mutex
	reqs []string
}

func (s *seen) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, v)
}

func (s *seen) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

// TestPresentCredentials: every static credential kind goes where it
// belongs on the valid probe, nowhere on the missing one, as garbage on the
// malformed one and as a different well-formed value on the wrong one.
func TestPresentCredentials(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("canary:"+canary))
	cases := []struct {
		name    string
		cred    Credential
		where   func(r *http.Request) string // what the request presented
		valid   string
		garbage string
		scheme  string
	}{
		{"basic", Credential{Kind: AuthBasic, Username: "canary", Password: canary},
			func(r *http.Request) string { return r.Header.Get("Authorization") }, basic, "Basic " + malformedValue, "Basic"},
		{"bearer", Credential{Kind: AuthBearer, Token: canary},
			func(r *http.Request) string { return r.Header.Get("Authorization") }, "Bearer " + canary, "Bearer " + malformedValue, "Bearer"},
		{"api key header", Credential{Kind: AuthAPIKey, Header: "X-Api-Key", Key: canary},
			func(r *http.Request) string { return r.Header.Get("X-Api-Key") }, canary, malformedValue, "ApiKey"},
		{"api key query", Credential{Kind: AuthAPIKey, Query: "api_key", Key: canary},
			func(r *http.Request) string { return r.URL.Query().Get("api_key") + "|" + r.URL.Query().Get("page") }, canary + "|2", malformedValue + "|2", "ApiKey"},
		{"cookie", Credential{Kind: AuthCookie, Cookie: "sid", Value: canary},
			func(r *http.Request) string { return r.Header.Get("Cookie") }, "sid=" + canary, "sid=" + malformedValue, "Cookie"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got seen
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				v := c.where(r)
				got.add(v)
				if v == c.valid {
					w.Write([]byte("ok"))
					return
				}
				challenge := c.scheme + ` realm="x"`
				if c.scheme == "Bearer" && v != "" {
					challenge += `, error="invalid_token"`
				}
				w.Header().Set("WWW-Authenticate", challenge)
				w.WriteHeader(401)
			}))
			defer srv.Close()
			ch := Check{Name: c.name, URL: srv.URL + "/r?page=2", Timeout: time.Second, MaxBody: 1024, Auth: c.cred,
				Secrets: []string{canary},
				Probes:  []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing}, {Kind: ProbeMalformed, Status: []int{401}}, {Kind: ProbeWrong}}}
			res := Run(context.Background(), srv.Client(), ch)
			if !res.Passed() {
				t.Fatal(res.Summary())
			}
			reqs := got.list()
			if len(reqs) != 4 || reqs[0] != c.valid || reqs[2] != c.garbage || reqs[3] == c.valid || reqs[3] == c.garbage {
				t.Fatalf("presented %q", reqs)
			}
			if empty := strings.Trim(reqs[1], "|2"); empty != "" {
				t.Fatalf("missing probe presented %q", reqs[1])
			}
		})
	}
}

// TestMTLS: the valid probe presents the client certificate, the missing
// probe none, the wrong probe a stranger's; a server that refuses at the
// handshake refuses, which is no bypass.
func TestMTLS(t *testing.T) {
	now := time.Now()
	serverCert := testCert(t, "server", now.Add(-time.Hour), now.Add(90*24*time.Hour), x509.ExtKeyUsageServerAuth)
	clientCert := testCert(t, "canary client", now.Add(-time.Hour), now.Add(90*24*time.Hour), x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(clientCert.Leaf)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "canary client" {
			w.Header().Set("WWW-Authenticate", `Mutual realm="x"`)
			w.WriteHeader(401)
			return
		}
		w.Write([]byte("hello canary client"))
	})
	mtlsCheck := func(url string) Check {
		return Check{Name: "mtls", URL: url, Timeout: 2 * time.Second, MaxBody: 1024,
			Auth:   Credential{Kind: AuthMTLS, Cert: &clientCert},
			Probes: []ProbeSpec{{Kind: ProbeValid, BodyContains: "canary client"}, {Kind: ProbeMissing}, {Kind: ProbeMalformed}, {Kind: ProbeWrong}}}
	}
	for _, mode := range []struct {
		name string
		auth tls.ClientAuthType
	}{{"refused at the handshake", tls.RequireAndVerifyClientCert}, {"refused with 401", tls.VerifyClientCertIfGiven}} {
		t.Run(mode.name, func(t *testing.T) {
			srv := tlsServer(t, serverCert, handler, func(c *tls.Config) { c.ClientAuth, c.ClientCAs = mode.auth, pool })
			hc := srv.Client()
			res := Run(context.Background(), hc, mtlsCheck(srv.URL))
			if !res.Passed() || len(res.Probes) != 3 { // malformed does not apply to a certificate
				t.Fatalf("passed %v, %d probes: %s", res.Passed(), len(res.Probes), res.Summary())
			}
			missing := probeOf(t, res, ProbeMissing)
			if handshake := strings.HasPrefix(missing.Error, "the server refused the TLS handshake: "); handshake != (mode.auth == tls.RequireAndVerifyClientCert) {
				t.Fatalf("missing probe: status %d error %q", missing.Status, missing.Error)
			}
			wrong := probeOf(t, res, ProbeWrong)
			if wrong.Status != 0 || !strings.Contains(wrong.Error, "certificate") {
				t.Fatalf("wrong probe: status %d error %q", wrong.Status, wrong.Error)
			}
			if b2 := assertionOf(t, wrong, "B2"); b2.Ref != "RFC 9110 §11.4" { // no Bearer, OAuth or JWT RFC
				t.Fatalf("a refused certificate's B2 cites %q", b2.Ref)
			}
			// A second run reuses the certificate's connection.
			again := Run(context.Background(), hc, mtlsCheck(srv.URL))
			if p := again.Probes[0]; !p.Timing.Reused || !again.Passed() {
				t.Fatalf("valid probe did not reuse its connection: %+v %s", p.Timing, again.Summary())
			}
		})
	}
	t.Run("a server that takes any certificate", func(t *testing.T) {
		srv := tlsServer(t, serverCert, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if len(r.TLS.PeerCertificates) == 0 {
				w.WriteHeader(401)
				return
			}
			w.Write([]byte("hello canary client"))
		}), func(c *tls.Config) { c.ClientAuth = tls.RequireAnyClientCert })
		res := Run(context.Background(), srv.Client(), mtlsCheck(srv.URL))
		if got := strings.Join(failedIDs(res), ","); got != "wrong/B2" {
			t.Fatalf("failed %q: %s", got, res.Summary())
		}
	})
}

// TestCertClientCache: one transport per certificate and base transport.
func TestCertClientCache(t *testing.T) {
	now := time.Now()
	cert := testCert(t, "c", now, now.Add(time.Hour), x509.ExtKeyUsageClientAuth)
	copyOf := cert // a reload that loads the same certificate again
	hc := NewClient(1)
	a, err1 := certClient(hc, &cert)
	b, err2 := certClient(hc, &copyOf)
	if err1 != nil || err2 != nil || a.Transport != b.Transport || a.Transport == hc.Transport {
		t.Fatalf("transports %p %p (base %p), errors %v %v", a.Transport, b.Transport, hc.Transport, err1, err2)
	}
	if _, err := certClient(&http.Client{Transport: roundTripFunc(nil)}, &cert); !errors.Is(err, errNoTransport) {
		t.Fatalf("custom transport: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDynamicCredentials: a Source is asked once per run; a refused token
// is invalidated and the valid probe retried once with a fresh one.
func TestDynamicCredentials(t *testing.T) {
	srv := httptest.NewServer(rfcBearer("fresh-" + canary))
	defer srv.Close()
	check := func(src Source) Check {
		return Check{Name: "dyn", URL: srv.URL, Timeout: time.Second, MaxBody: 1024,
			Auth:   Credential{Kind: AuthOAuth2, Set: "sso", Source: src},
			Probes: []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing}, {Kind: ProbeWrong}}}
	}
	t.Run("fresh token", func(t *testing.T) {
		src := &fakeSource{creds: []Credential{{Kind: AuthBearer, Token: "fresh-" + canary}}}
		res := Run(context.Background(), srv.Client(), check(src))
		if gets, inv := src.counts(); !res.Passed() || gets != 1 || inv != 0 {
			t.Fatalf("gets %d invalidations %d: %s", gets, inv, res.Summary())
		}
	})
	t.Run("stale token is replaced", func(t *testing.T) {
		src := &fakeSource{creds: []Credential{{Kind: AuthBearer, Token: "stale-" + canary}, {Kind: AuthBearer, Token: "fresh-" + canary}}}
		res := Run(context.Background(), srv.Client(), check(src))
		if gets, inv := src.counts(); !res.Passed() || gets != 2 || inv != 1 {
			t.Fatalf("gets %d invalidations %d: %s", gets, inv, res.Summary())
		}
	})
	t.Run("refused twice", func(t *testing.T) {
		src := &fakeSource{creds: []Credential{{Kind: AuthBearer, Token: "stale-" + canary}}}
		res := Run(context.Background(), srv.Client(), check(src))
		if gets, inv := src.counts(); gets != 2 || inv != 1 || strings.Join(failedIDs(res), ",") != "valid/A2" {
			t.Fatalf("gets %d invalidations %d: %v", gets, inv, failedIDs(res))
		}
	})
	t.Run("source fails", func(t *testing.T) {
		src := &fakeSource{err: errors.New("login answered 503")}
		res := Run(context.Background(), srv.Client(), check(src))
		if len(res.Probes) != 3 || strings.Join(failedIDs(res), ",") != "valid/A2" || res.Severity() != SevAvail {
			t.Fatalf("%d probes, failed %v (%s)", len(res.Probes), failedIDs(res), res.Severity())
		}
		want := `with valid credentials: could not obtain credentials of "sso": login answered 503`
		if r := res.Probes[0].Assertions[0].Reason; r != want {
			t.Fatalf("reason %q, want %q", r, want)
		}
		if p := res.Probes[2]; !strings.HasPrefix(headerValue(p.RequestHeaders, "Authorization"), "Bearer ") {
			t.Fatalf("wrong probe did not present a Bearer token: %+v", p.RequestHeaders)
		}
	})
}
