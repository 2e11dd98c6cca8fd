package config

import (
	"fmt"
	"strings"
	"testing"
)

// manyChecks writes a config with n checks, each with its own inline
// credentials, a schedule and an environment reference.
func manyChecks(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "[[check]]\nname = \"check-%d\"\nurl = \"https://example.com/api/%d\"\nschedule = \"@every 30s\"\n"+
			"[check.auth]\ntype = \"bearer\"\ntoken = \"${TOKEN}\"\n\n", i, i)
	}
	return b.String()
}

// BenchmarkLoad10000 loads a config of 10,000 checks: loading must stay
// linear in the number of checks (it took 13 s when it was quadratic).
func BenchmarkLoad10000(b *testing.B) {
	data := []byte(manyChecks(10000))
	env := func(string) (string, bool) { return "secret-token", true }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("checks.toml", data, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadUnknownSets: 5,000 checks naming a credential set that does
// not exist, among 5,000 sets. Each did-you-mean search compares the name
// with every set; unbounded, they took 35 s.
func BenchmarkLoadUnknownSets(b *testing.B) {
	var doc strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&doc, "[credentials.set-%d]\ntype = \"bearer\"\ntoken = \"t%d\"\n", i, i)
	}
	for i := range 5000 {
		fmt.Fprintf(&doc, "[[check]]\nname = \"c%d\"\nurl = \"https://example.com/\"\ncredentials = \"sett-%d\"\n", i, i)
	}
	data := []byte(doc.String())
	for b.Loop() {
		if _, err := Parse("checks.toml", data, noEnv); err == nil {
			b.Fatal("unknown sets accepted")
		}
	}
}

// BenchmarkLoadSilences: 10,000 checks and 500 silences covering them all.
// With a copy of the silences per check, 2,000 silences took 3 GB.
func BenchmarkLoadSilences(b *testing.B) {
	data := []byte(manyChecks(10000) + strings.Repeat("[[silence]]\nschedule = \"0 2 * * *\"\nduration = \"1h\"\n", maxSilences))
	env := func(string) (string, bool) { return "secret-token", true }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("checks.toml", data, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadLongList: a discovery check requiring 100,000 members.
// Duplicates were found by scanning the list so far: quadratic.
func BenchmarkLoadLongList(b *testing.B) {
	var doc strings.Builder
	doc.WriteString("[[check]]\nname = \"d\"\nkind = \"discovery\"\nurl = \"https://idp.example.com/.well-known/openid-configuration\"\n" +
		"[check.discovery]\nissuer = \"https://idp.example.com\"\nrequired = [")
	for i := range 100_000 {
		fmt.Fprintf(&doc, "\"m%d\",", i)
	}
	doc.WriteString("]\n")
	data := []byte(doc.String())
	for b.Loop() {
		if _, err := Parse("checks.toml", data, noEnv); err != nil {
			b.Fatal(err)
		}
	}
}
