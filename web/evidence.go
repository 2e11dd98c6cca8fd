package web

import (
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// requestText writes a probe's request as it went out: the request line and
// the headers as recorded (credential values already redacted by the probe).
func requestText(p checks.ProbeResult) string {
	var b strings.Builder
	b.WriteString(p.Method + " " + p.URL)
	writeHeaders(&b, p.RequestHeaders)
	return b.String()
}

// responseText writes the status line and the response headers as recorded.
func responseText(p checks.ProbeResult) string {
	var b strings.Builder
	b.WriteString(statusLine(p))
	writeHeaders(&b, p.Headers)
	return b.String()
}

func writeHeaders(b *strings.Builder, hs []checks.Header) {
	for _, h := range hs {
		b.WriteString("\n" + h.Name + ": " + h.Value)
	}
}
