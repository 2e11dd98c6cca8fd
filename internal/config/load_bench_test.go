package config

import (
	"fmt"
	"strings"
	"testing"
)

// manyChecks writes a config with n checks, each with its own inline
// credentials, a schedule and an environment reference.
func manyChecks(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "[[check]]\nname = \"check-%d\"\nurl = \"https://example.com/api/%d\"\nschedule = \"@every 30s\"\n"+
			"[check.auth]\ntype = \"bearer\"\ntoken = \"${TOKEN}\"\n\n", i, i)
	}
	return []byte(b.String())
}

// BenchmarkLoad10000 loads a config of 10,000 checks: loading must stay
// linear in the number of checks (it took 13 s when it was quadratic).
func BenchmarkLoad10000(b *testing.B) {
	data := manyChecks(10000)
	env := func(string) (string, bool) { return "secret-token", true }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("checks.toml", data, env); err != nil {
			b.Fatal(err)
		}
	}
}
