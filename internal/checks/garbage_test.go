package checks

import (
	"context"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"
	"unicode"
)

// A target that answers with something other than HTTP gets a reason a
// person can read: "invalid HTTP response" and at most a short printable
// prefix of what came, never a long run of escaped bytes.
func TestGarbageAnswerSaysInvalidHTTPResponse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 250)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	cases := []struct {
		name   string
		answer []byte
		prefix string // what the reason quotes, "" for nothing
	}{
		{"random bytes", random, ""},
		{"another protocol", []byte("SSH-2.0-OpenSSH_9.6_with_a_long_banner_that_goes_on_and_on_and_on_and_on\r\n"), `it starts "SSH-2.0-OpenSSH_9.6_with"`},
		{"bad status code", []byte("HTTP/1.1 abc OK\r\n\r\n"), `malformed status code "abc"`},
		{"bad version", []byte("HTTQ/1.1 200 OK\r\n\r\n"), `malformed version "HTTQ/1.1"`},
		{"binary after a printable start", []byte("HELLO\x00\x01\xff\xfe\x80\r\n"), `it starts "HELLO"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := rawServer(t, func(conn net.Conn) {
				conn.Write(c.answer)
				conn.Close()
			})(t)
			ch := bearerCheck(url)
			ch.Timeout = 3 * time.Second
			res := Run(context.Background(), NewClient(1), ch)
			for _, p := range res.Probes {
				if !strings.HasPrefix(p.Error, "invalid HTTP response") {
					t.Fatalf("%s: error %q, want invalid HTTP response", p.Kind, p.Error)
				}
				if len(p.Error) > 80 || strings.Contains(p.Error, `\x`) || strings.IndexFunc(p.Error, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
					t.Errorf("%s: error is not short and printable: %q", p.Kind, p.Error)
				}
				if c.prefix != "" && !strings.Contains(p.Error, c.prefix) {
					t.Errorf("%s: error %q does not quote %s", p.Kind, p.Error, c.prefix)
				}
				if c.prefix == "" && strings.Contains(p.Error, `"`) {
					t.Errorf("%s: error %q quotes bytes that are not printable", p.Kind, p.Error)
				}
			}
		})
	}
}
