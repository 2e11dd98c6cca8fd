package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzParse decodes and validates arbitrary documents, and a check with an
// arbitrary schedule: loading must never panic (Parse recovers, parse does
// not, so the fuzzer sees every panic) and every refusal is a list of
// located problems. CI runs it for a few seconds (.ci/run).
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/bad-*.toml")
	seeds = append(seeds, filepath.Join("..", "..", "checks.example.toml"))
	schedules := []string{"@every 30s", "TZ=UTC", "CRON_TZ=Europe/Berlin 0 9 * * *", "*/5 * * * *", "@hourly", "TZ=UTC @every 0s"}
	for i, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, schedules[i%len(schedules)])
	}
	env := func(name string) (string, bool) { return "env-" + name, name != "UNSET" }
	f.Fuzz(func(t *testing.T, doc []byte, schedule string) {
		load(t, doc, env)
		check := "[[check]]\nname = \"a\"\nurl = \"https://example.com/\"\nschedule = " + strconv.Quote(schedule) + "\n"
		load(t, []byte(check), env)
	})
}

func load(t *testing.T, doc []byte, env func(string) (string, bool)) {
	cfg, err := parse("f.toml", doc, env)
	if err == nil {
		if cfg == nil {
			t.Fatal("no config and no error")
		}
		return
	}
	var ps Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("err = %v, want problems", err)
	}
	for _, p := range ps {
		if p.File != "f.toml" || p.Msg == "" {
			t.Fatalf("problem without a file or a message: %+v", p)
		}
	}
}
