package checks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// BenchmarkRunProtected is one run of the full Bearer matrix (seven probes,
// a JWT token, so forged applies) against a loopback server, with the
// connections kept alive as in production: the cost the monitor pays per
// check per run on top of the network.
func BenchmarkRunProtected(b *testing.B) {
	tok := validJWT(b)
	srv := httptest.NewServer(rfcBearer(tok))
	defer srv.Close()
	hc := NewClient(4)
	ch := matrixCheck(srv.URL, tok)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := Run(ctx, hc, ch); !res.Passed() {
			b.Fatal(res.Summary())
		}
	}
}

// BenchmarkRunProbes is one run of a Bearer check with one probe (valid)
// and with three (valid, missing, wrong), the common shapes. "serve" runs
// it as the monitor does: one Runner for the process, whose redactor knows
// the secrets of 1,000 checks; "alone" is checks.Run, as `monitor check`
// and the tests run a check.
func BenchmarkRunProbes(b *testing.B) {
	tok := validJWT(b)
	srv := cannedBearer(b, tok)
	hc := NewClient(4)
	ctx := context.Background()
	shapes := map[int][]ProbeSpec{
		1: {{Kind: ProbeValid, BodyContains: "canary"}},
		3: {{Kind: ProbeValid, BodyContains: "canary"}, {Kind: ProbeMissing, Scheme: "Bearer"},
			{Kind: ProbeWrong, Scheme: "Bearer"}},
	}
	for _, mode := range []string{"serve", "alone"} {
		for _, n := range []int{1, 3} {
			ch := Check{Name: "bench", Method: "GET", URL: srv.URL, Timeout: 2 * time.Second,
				Auth: Credential{Kind: AuthBearer, Token: tok}, Secrets: []string{tok}, Probes: shapes[n]}
			run := func() Result { return Run(ctx, hc, ch) }
			if mode == "serve" {
				rn := NewRunner(hc, nil, redact.New(append(benchSecrets(1000), ch.Secrets...)...))
				run = func() Result { return rn.Run(ctx, ch) }
			}
			b.Run(fmt.Sprintf("%s/probes=%d", mode, n), func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := processCPU(b)
				for b.Loop() {
					if res := run(); !res.Passed() {
						b.Fatal(res.Summary())
					}
				}
				// The process's CPU time, not wall time: a loopback round trip
				// waits more than it works.
				b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cannedBearer is a loopback Bearer server that answers from canned bytes
// and allocates next to nothing, so that a benchmark's figures are the
// monitor's own: an httptest server's work would count as the run's. It
// answers 200 to "Bearer tok", 401 with a challenge otherwise (with
// error="invalid_token" to a wrong credential).
func cannedBearer(b *testing.B, tok string) *httptest.Server {
	ok := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 33\r\n\r\n" +
		`{"user":{"name":"canary","id":7}}`)
	missing := []byte("HTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm=\"api\"\r\nContent-Length: 0\r\n\r\n")
	denied := []byte("HTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"\r\n" +
		"Content-Length: 0\r\n\r\n")
	want := []byte("authorization: bearer " + tok)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, URL: "http://" + l.Addr().String()}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serveCanned(c, want, [3][]byte{missing, denied, ok})
		}
	}()
	return srv
}

func serveCanned(c net.Conn, want []byte, answers [3][]byte) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		answer := 0 // no Authorization header
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(bytes.TrimSpace(line)) == 0 {
				break
			}
			switch h := bytes.TrimSpace(line); {
			case bytes.EqualFold(h, want):
				answer = 2
			case len(h) > 14 && bytes.EqualFold(h[:14], []byte("authorization:")):
				answer = max(answer, 1)
			}
		}
		if _, err := c.Write(answers[answer]); err != nil {
			return
		}
	}
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
