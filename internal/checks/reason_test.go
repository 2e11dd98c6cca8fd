package checks

import (
	"strings"
	"testing"
)

// A kept sentence is the one check would write: passing or failing, for
// each probe kind, on first use and again, and past the bound.
func TestReasonKeptIsWritten(t *testing.T) {
	long := strings.Repeat("x", maxKeptReason)
	for range 2 {
		for _, k := range []ProbeKind{ProbeValid, ProbeMissing, ProbeWrong} {
			for _, got := range []string{"401 Unauthorized", "200 OK", long} {
				if s, want := reason(k, true, "401", got), k.Phrase()+": got "+got+" as expected"; s != want {
					t.Errorf("pass: %q, want %q", s, want)
				}
				for _, exp := range []string{"401", "2xx"} {
					if s, want := reason(k, false, exp, got), k.Phrase()+": expected "+exp+", got "+got; s != want {
						t.Errorf("fail: %q, want %q", s, want)
					}
				}
			}
		}
	}
	for i := range keptReasons + 10 {
		got := strings.Repeat("y", i%50) + string(rune('a'+i%26))
		if s := reason(ProbeValid, true, "", got); s != ProbeValid.Phrase()+": got "+got+" as expected" {
			t.Fatalf("after %d sentences: %q", i, s)
		}
	}
}
