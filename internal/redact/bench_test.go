package redact

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkString is the cost of redacting text that holds no secret, the
// common case, with the secrets of 1, 50 and 1,000 checks (three each):
// a header value and a 4 KB body excerpt.
func BenchmarkString(b *testing.B) {
	header := "value of the strict-transport-security header, max-age=63072000"
	body := strings.Repeat(`{"id":4711,"name":"Ada Lovelace","roles":["reader","writer"]} `, 80)[:4096]
	for _, n := range []int{1, 50, 1000} {
		var secrets []string
		for i := range n {
			secrets = append(secrets, fmt.Sprintf("pw-%d-Zq8vLr2x", i), fmt.Sprintf("user%d:pw-%d-Zq8vLr2x", i, i),
				fmt.Sprintf("key-%d-9fK2mQ7wBx", i))
		}
		r := New(secrets...)
		for name, s := range map[string]string{"header": header, "body4k": body} {
			b.Run(fmt.Sprintf("checks=%d/%s", n, name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if r.String(s) != s {
						b.Fatal("changed")
					}
				}
			})
		}
	}
}

// BenchmarkScopeAdd is what a run pays when it obtains a token: a scope of
// the process's redactor learning it.
func BenchmarkScopeAdd(b *testing.B) {
	p := New("pw-0-Zq8vLr2x", "user0:pw-0-Zq8vLr2x")
	b.ReportAllocs()
	for b.Loop() {
		p.Scope().Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtb25pdG9yIn0.c2lnbmF0dXJl")
	}
}

// BenchmarkAddOneByOne is a redactor learning the secrets of 1,000 checks
// one check at a time (as a monitor wiring its checks may), then redacting.
func BenchmarkAddOneByOne(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r := New()
		for i := range 1000 {
			r.Add(fmt.Sprintf("pw-%d-Zq8vLr2x", i), fmt.Sprintf("key-%d-9fK2mQ7wBx", i))
		}
		if r.String("x pw-7-Zq8vLr2x") != "x "+Placeholder {
			b.Fatal("not redacted")
		}
	}
}
