package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/redact"
)

// typicalProbe is what a passing probe records: a URL, a dozen headers, a
// small JSON body and a few assertions, none holding a secret.
func typicalProbe() ProbeResult {
	p := ProbeResult{Kind: ProbeValid, Method: "GET", URL: "https://api.example.com/v1/me?view=full",
		Status: 200, StatusText: "OK", ChallengeRaw: []string{`Bearer realm="api", scope="read"`}}
	for _, h := range []string{"Accept", "Cache-Control", "Content-Length", "Content-Type", "Date", "Etag",
		"Server", "Strict-Transport-Security", "Vary", "X-Content-Type-Options", "X-Frame-Options", "X-Request-Id"} {
		p.Headers = append(p.Headers, Header{Name: h, Value: "value of the " + strings.ToLower(h) + " header, 1.2.3"})
	}
	p.RequestHeaders = []Header{{Name: "Authorization", Value: "Bearer [REDACTED]"}, {Name: "User-Agent", Value: "authmon"}}
	p.Body = `{"id":4711,"name":"Ada Lovelace","email":"ada@example.com","roles":["reader","writer"],` +
		`"created":"2024-01-02T03:04:05Z","settings":{"theme":"dark","locale":"en-GB","notifications":true}}` +
		strings.Repeat(" ", 200)
	for _, id := range []string{"A1", "B1", "C1", "C6"} {
		p.Assertions = append(p.Assertions, Assertion{ID: id, Pass: true, Expected: "2xx with the valid credential",
			Got: "200 OK", Reason: "valid credentials: expected 2xx, got 200 OK"})
	}
	return p
}

// benchSecrets are n checks' worth of configured secrets: a password, its
// user:password pair and an API key each.
func benchSecrets(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("pw-%d-Zq8vLr2x", i), fmt.Sprintf("user%d:pw-%d-Zq8vLr2x", i, i),
			fmt.Sprintf("key-%d-9fK2mQ7wBx", i))
	}
	return out
}

// BenchmarkRedactProbe is the redaction a run applies to one typical probe,
// the cost paid on every probe of every run: a scope of the process
// redactor knowing the secrets of 1, 50 or 1,000 checks, as serve runs it,
// or the check's own ("alone", as `monitor check` of one check did).
func BenchmarkRedactProbe(b *testing.B) {
	ch := Check{Secrets: benchSecrets(1), Auth: Credential{Kind: AuthBasic, Username: "user0", Password: "pw-0-Zq8vLr2x"}}
	p := typicalProbe() // holds no secret: redacting leaves it as it is
	for _, n := range []int{0, 1, 50, 1000} {
		name := fmt.Sprintf("checks=%d", n)
		var process *redact.Redactor
		if n == 0 {
			name = "alone"
		} else {
			process = redact.New(benchSecrets(n)...)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				redactProbe(runRedactor(process, ch), &p)
			}
		})
	}
}
