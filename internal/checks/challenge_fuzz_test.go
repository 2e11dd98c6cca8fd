package checks

import (
	"testing"
)

// FuzzParseChallenges checks that any two field lines parse without panicking,
// that every problem points inside its field, and that a strictly valid input
// survives formatting: parse → FormatChallenges → parse gives the same
// challenges and no problems.
func FuzzParseChallenges(f *testing.F) {
	for _, group := range [][]challengeCase{rfcCases, validCases, invalidCases} {
		for _, tc := range group {
			f.Add(fieldAt(tc.fields, 0), fieldAt(tc.fields, 1))
		}
	}
	for _, s := range []string{`X a=b, c`, `X a="b", c d`, "X\xff", `A b, c=d`, `A b="\`, `,`, `=`, `"`} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fields := []string{a, b}
		cs, probs := ParseChallenges(fields)
		for _, p := range probs {
			if p.Field < 0 || p.Field >= len(fields) || p.Offset < 0 || p.Offset > len(fields[p.Field]) || p.Msg == "" {
				t.Fatalf("problem out of range: %+v", p)
			}
		}
		for _, c := range cs {
			if c.Scheme == "" {
				t.Fatalf("challenge without a scheme in %q", cs)
			}
		}
		if probs != nil {
			return
		}
		out := FormatChallenges(cs)
		again, probs := ParseChallenges([]string{out})
		if probs != nil {
			t.Fatalf("formatted %q has problems %q", out, probs)
		}
		if !sameChallenges(cs, again) {
			t.Fatalf("round trip through %q:\n got %#v\nwant %#v", out, again, cs)
		}
		if out2 := FormatChallenges(again); out2 != out {
			t.Fatalf("formatting is not stable: %q then %q", out, out2)
		}
	})
}

func fieldAt(fields []string, i int) string {
	if i < len(fields) {
		return fields[i]
	}
	return ""
}

// sameChallenges compares readings but not Param.Quoted, because String always
// writes quoted-strings.
func sameChallenges(a, b []Challenge) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Scheme != b[i].Scheme || a[i].Token68 != b[i].Token68 || len(a[i].Params) != len(b[i].Params) {
			return false
		}
		for j, p := range a[i].Params {
			if q := b[i].Params[j]; p.Name != q.Name || p.Value != q.Value {
				return false
			}
		}
	}
	return true
}
