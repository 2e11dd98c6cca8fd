package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestMisbehavingTargets: a target that hangs, resets, floods or speaks bad
// TLS gives a failed probe with a plain reason, promptly.
func TestMisbehavingTargets(t *testing.T) {
	cases := []struct {
		name   string
		url    func(t *testing.T) string
		reason string
	}{
		{"hangs", serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }), "timed out after 300ms"},
		{"huge body", serve(t, func(w http.ResponseWriter, r *http.Request) {
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for range 64 { // 4 MiB, more than the 1 MiB cap
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}), "response body larger than the 1048576-byte cap"},
		{"connection reset", rawServer(t, func(c net.Conn) {
			c.(*net.TCPConn).SetLinger(0) // close with RST
			c.Close()
		}), "connection"},
		{"refused", func(t *testing.T) string {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := ln.Addr().String()
			ln.Close()
			return "http://" + addr + "/"
		}, "connection refused"},
		{"bad TLS certificate", func(t *testing.T) string {
			srv := httptest.NewUnstartedServer(http.NotFoundHandler())
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failures are the point
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return srv.URL
		}, "TLS: certificate signed by an unknown authority"},
		{"plain HTTP on a TLS URL", func(t *testing.T) string {
			srv := httptest.NewServer(http.NotFoundHandler())
			t.Cleanup(srv.Close)
			return strings.Replace(srv.URL, "http://", "https://", 1)
		}, "the server does not speak TLS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := bearerCheck(c.url(t))
			// Only the hanging target needs the short timeout; the others
			// must fail for their own reason even on a loaded CI machine,
			// where a TLS handshake under the race detector can take longer.
			ch.Timeout = 3 * time.Second
			if c.name == "hangs" {
				ch.Timeout = 300 * time.Millisecond
			}
			start := time.Now()
			res := Run(context.Background(), NewClient(4), ch)
			if took := time.Since(start); took > 10*time.Second {
				t.Fatalf("took %s", took)
			}
			if res.Passed() || len(res.Probes) != 3 {
				t.Fatalf("passed=%v probes=%d", res.Passed(), len(res.Probes))
			}
			for _, p := range res.Probes {
				if p.Status != 0 || !strings.Contains(p.Error, c.reason) || p.Assertions[0].ID != "A0" {
					t.Fatalf("%s: status %d error %q, want %q", p.Kind, p.Status, p.Error, c.reason)
				}
			}
		})
	}
}

func serve(t *testing.T, h http.HandlerFunc) func(*testing.T) string {
	return func(t *testing.T) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

// rawServer accepts TCP connections and hands them to f, for faults that
// net/http cannot produce.
func rawServer(t *testing.T, f func(net.Conn)) func(*testing.T) string {
	return func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				buf := make([]byte, 4096)
				c.Read(buf)
				f(c)
			}
		}()
		return "http://" + ln.Addr().String() + "/"
	}
}

// TestSecretsNeverRecorded: a target that echoes every credential it gets in
// its challenge, status and body; the recorded result holds none of them.
func TestSecretsNeverRecorded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+r.Header.Get("Authorization")+`", user="`+r.Header.Get("X-Extra")+`"`)
		w.WriteHeader(401)
	}))
	defer srv.Close()
	ch := Check{Name: "basic", Method: "GET", URL: srv.URL + "/?k=" + canary, Timeout: time.Second, MaxBody: 1024,
		Headers: map[string]string{"X-Extra": "hdr-" + canary},
		Auth:    Credential{Kind: AuthBasic, Username: "canary", Password: canary},
		Secrets: []string{canary, "hdr-" + canary},
		Probes:  []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing, Realm: "x"}, {Kind: ProbeWrong}}}
	res := Run(context.Background(), srv.Client(), ch)
	b, _ := json.Marshal(res)
	if strings.Contains(string(b), canary) || strings.Contains(string(b), "Y2FuYXJ5OkNBTkFSWS1zM2NyZXQtOTczMQ") {
		t.Fatalf("secret recorded: %s", b)
	}
	if !strings.Contains(string(b), "[REDACTED]") {
		t.Fatalf("expected redaction marks in %s", b)
	}
}
