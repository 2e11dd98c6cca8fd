package config

import (
	"strings"
	"testing"
)

func silenceDoc(schedule string) string {
	return oneCheck + "[[silence]]\nschedule = \"" + schedule + "\"\nduration = \"1h\"\nreason = \"deploy\"\n"
}

// TestSamePolicy: two loads of one file have the same policies; another
// schedule, zone or reason of a silence makes them differ.
func TestSamePolicy(t *testing.T) {
	load := func(doc string) *Config {
		cfg, err := Parse("c.toml", []byte(doc), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	base := load(silenceDoc("0 2 * * *")).Policies["one"]
	if !SamePolicy(base, load(silenceDoc("0 2 * * *")).Policies["one"]) {
		t.Error("two loads of one file differ")
	}
	for _, doc := range []string{silenceDoc("0 3 * * *"), silenceDoc("CRON_TZ=Europe/Berlin 0 2 * * *"),
		strings.Replace(silenceDoc("0 2 * * *"), "deploy", "backup", 1), silenceDoc("@every 1h"), oneCheck} {
		if SamePolicy(base, load(doc).Policies["one"]) {
			t.Errorf("a changed silence compares equal:\n%s", doc)
		}
	}
}

// BenchmarkSamePolicy compares the policies of two loads of 10,000 checks
// under 500 silences, as a reload does.
func BenchmarkSamePolicy(b *testing.B) {
	data := []byte(manyChecks(10000) + strings.Repeat("[[silence]]\nschedule = \"0 2 * * *\"\nduration = \"1h\"\n", maxSilences))
	env := func(string) (string, bool) { return "t", true }
	x, err := Parse("c.toml", data, env)
	if err != nil {
		b.Fatal(err)
	}
	y, _ := Parse("c.toml", data, env)
	for b.Loop() {
		for name, p := range x.Policies {
			if !SamePolicy(p, y.Policies[name]) {
				b.Fatal("differ")
			}
		}
	}
}
