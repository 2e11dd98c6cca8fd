package config

import (
	"strings"
	"testing"
)

// TestNamesThatLookAlike: composed accents, other scripts' marks and
// ordinary spaces are fine; the look-alikes are refused (testdata has each).
func TestNamesThatLookAlike(t *testing.T) {
	for _, name := range []string{"café", "login prod", "नमस्ते", "Ελλάδα", "api-v2 (eu)"} {
		if why := lookAlike(name); why != "" {
			t.Errorf("%q refused: %s", name, why)
		}
	}
	for _, name := range []string{"cafe\u0301", "a\u200bb", "a\u2066b", "\ufeffa", "a\u00a0b", "a\u00adb"} {
		if lookAlike(name) == "" {
			t.Errorf("%+q accepted", name)
		}
	}
}

// TestByteOrderMark: a UTF-8 BOM (as some editors write) is skipped; a
// UTF-16 file is refused with what to do.
func TestByteOrderMark(t *testing.T) {
	doc := "\xEF\xBB\xBF[[check]]\nname = \"a\"\nurl = \"https://example.com/\"\n"
	if _, err := Parse("bom.toml", []byte(doc), noEnv); err != nil {
		t.Errorf("UTF-8 with a BOM: %v", err)
	}
	_, err := Parse("utf16.toml", []byte("\xFF\xFE[\x00"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "utf16.toml:1: the file is UTF-16: save it as UTF-8") {
		t.Errorf("UTF-16: %v", err)
	}
}
