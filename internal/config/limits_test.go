package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestShapeIgnoresBracketsInStrings: brackets inside strings and comments
// are not nesting, so a valid file full of them loads.
func TestShapeIgnoresBracketsInStrings(t *testing.T) {
	data, err := os.ReadFile("testdata/bad-nesting.toml")
	if err != nil {
		t.Fatal(err)
	}
	deep := []byte("ignore = " + strings.Repeat("[", 17) + strings.Repeat("]", 17))
	if !bytes.Contains(data, deep) {
		t.Fatal("the test file changed")
	}
	ok := bytes.Replace(data, deep, nil, 1)
	if _, err := Parse("ok.toml", ok, noEnv); err != nil {
		t.Fatalf("a file whose strings and comments hold brackets was refused: %v", err)
	}
}

// TestFileSizeLimit: a file over the limit is refused with its size,
// before it is decoded.
func TestFileSizeLimit(t *testing.T) {
	data := append([]byte(manyChecks(1)), strings.Repeat("# padding\n", maxFileSize/10+1)...)
	_, err := Parse("huge.toml", data, func(string) (string, bool) { return "t", true })
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].String() != fmt.Sprintf("huge.toml: the file is %d bytes, more than the 16 MiB limit: split the checks across monitors", len(data)) {
		t.Fatalf("err = %v", err)
	}
}

// TestNoChecksOnlyWhenAsked: an empty file is refused; allow_no_checks
// accepts a file without checks.
func TestNoChecksOnlyWhenAsked(t *testing.T) {
	if _, err := Parse("empty.toml", nil, noEnv); err == nil || !strings.Contains(err.Error(), "empty.toml: check: the file defines no [[check]]") {
		t.Errorf("empty file: %v", err)
	}
	cfg, err := Parse("none.toml", []byte("[monitor]\nallow_no_checks = true\n"), noEnv)
	if err != nil || len(cfg.Checks) != 0 {
		t.Errorf("allow_no_checks: %v", err)
	}
}

// TestSilencesAreShared: the silences covering every check are one slice,
// not a copy per check (n checks × m silences of memory); a check's own
// silences are added to its copy only.
func TestSilencesAreShared(t *testing.T) {
	doc := manyChecks(3) + "[[silence]]\nschedule = \"0 2 * * *\"\nduration = \"1h\"\n" +
		"[[silence]]\nchecks = [\"check-2\"]\nschedule = \"0 3 * * *\"\nduration = \"1h\"\n"
	cfg, err := Parse("c.toml", []byte(doc), func(string) (string, bool) { return "t", true })
	if err != nil {
		t.Fatal(err)
	}
	a, b, own := cfg.Policies["check-0"].Silences, cfg.Policies["check-1"].Silences, cfg.Policies["check-2"].Silences
	if len(a) != 1 || len(b) != 1 || &a[0] != &b[0] {
		t.Errorf("the shared silence is copied per check: %d, %d", len(a), len(b))
	}
	if len(own) != 2 || &own[0] == &a[0] || cap(a) != 1 {
		t.Errorf("check-2's silences %d; the shared slice can grow into others: cap %d", len(own), cap(a))
	}
	many := strings.Repeat("[[silence]]\nschedule = \"0 2 * * *\"\nduration = \"1h\"\n", maxSilences+1)
	if _, err := Parse("c.toml", []byte(oneCheck+many), noEnv); err == nil ||
		!strings.Contains(err.Error(), "c.toml: silence: 501 [[silence]] sections, more than 500") {
		t.Errorf("too many silences: %v", err)
	}
}

// TestZeroSamplesRefused: enumeration samples = 0 used to mean the
// default, while 1 was refused.
func TestZeroSamplesRefused(t *testing.T) {
	doc := strings.Replace(everyKind, "samples = 20", "samples = 0", 1)
	_, err := Parse("c.toml", []byte(doc), lookupIn(everyKindEnv))
	if err == nil || !strings.Contains(err.Error(), ".enumeration.samples: must be between 2 and 100 pairs") {
		t.Errorf("err = %v", err)
	}
}

// TestParseRecovers: a panic anywhere while loading (here from the
// environment lookup, standing for a parser's) refuses the file instead of
// crashing validate or a running serve's reload, without quoting the panic,
// which may hold a secret.
func TestParseRecovers(t *testing.T) {
	doc := "[[check]]\nname = \"a\"\nurl = \"https://example.com/${HOST}\"\n"
	_, err := Parse("c.toml", []byte(doc), func(string) (string, bool) { panic("hunter2") })
	if err == nil || err.Error() != "c.toml: internal error while reading the file, which is refused; please report it" {
		t.Fatalf("err = %v", err)
	}
}
