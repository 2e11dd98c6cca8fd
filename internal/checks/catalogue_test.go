package checks

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var idShape = regexp.MustCompile(`^[A-D][0-9]{1,2}(\.[A-Za-z0-9_-]+)?$`)

// Every assertion id the judges can emit is in the catalogue: the string
// literals of the package's code shaped like an id, and the ids it builds
// from parts.
func TestJudgesUseCatalogueIDs(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	var ids []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := goparser.ParseFile(fset, f, nil, goparser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil && idShape.MatchString(v) {
					ids = append(ids, v)
				}
			}
			return true
		})
	}
	if len(ids) < 60 {
		t.Fatalf("found only %d id literals: the scan is broken", len(ids))
	}
	for _, e := range []expectation{expectMissing, expectMalformed, expectBad, expectScope} {
		ids = append(ids, e.bypassID, e.statusID, e.errorID)
		for _, sub := range []string{".challenge", ".scheme", ".realm", ".location"} {
			ids = append(ids, e.statusID+sub)
		}
	}
	for _, id := range positiveProbes {
		ids = append(ids, id)
	}
	for _, id := range []string{"C11", "C12", "C13"} {
		ids = append(ids, id+".error")
	}
	for _, d := range []int{1, 7, 14, 30, 365} {
		ids = append(ids, "A4."+strconv.Itoa(d))
	}
	for _, id := range ids {
		if _, ok := Lookup(id); !ok {
			t.Errorf("the judges emit %q, which the catalogue does not have", id)
		}
	}
}

func TestLookupAndSuggest(t *testing.T) {
	for _, c := range []struct {
		id      string
		known   bool
		suggest string
	}{
		{"C6.params", true, ""}, {"B6", true, ""}, {"A4.30", true, ""}, {"A4.365", true, ""},
		{"A4.0", false, "A4"}, {"A4.366", false, ""}, {"A4.030", false, ""},
		{"C12.challeng", false, "C12.challenge"}, {"c6.params", false, "C6.params"},
		{"C99", false, "C9"}, {"Z1", false, ""}, {"cookie-prefix", false, ""},
		{strings.Repeat("C1", 1000), false, ""},
	} {
		e, ok := Lookup(c.id)
		if ok != c.known {
			t.Errorf("Lookup(%q) known = %v, want %v", c.id, ok, c.known)
		}
		if ok && (e.Ref == "" || e.Explain == "" || e.Severity == SevNone) {
			t.Errorf("Lookup(%q) = %+v: every entry has a reference, an explanation and a severity", c.id, e)
		}
		if !ok && !strings.HasPrefix(c.id, "A4.3") {
			if got := Suggest(c.id); got != c.suggest {
				t.Errorf("Suggest(%q) = %q, want %q", c.id, got, c.suggest)
			}
		}
	}
	if e, _ := Lookup("C6.params"); e.Severity != SevWarn || e.Explain == byID["C6"].Explain {
		t.Errorf("C6.params = %+v: a warning with its own explanation", e)
	}
	if e, _ := Lookup("C11.error"); e.Ref != byID["C11"].Ref {
		t.Errorf("C11.error takes C11's reference, got %q", e.Ref)
	}
}

// The README's assertion table and the catalogue agree: the same top-level
// ids, the same references, the severity the row starts with; every
// sub-id named in a row exists, every sub-id of the catalogue is named in
// its row, and one whose severity differs from its parent's is named in
// the severity cell.
func TestCatalogueMatchesREADME(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## Assertion catalogue")
	end := strings.Index(readme[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("no Assertion catalogue section in the README")
	}
	rows := map[string][]string{}
	var order []string
	for _, line := range strings.Split(readme[start:start+1+end], "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) == 5 && idShape.MatchString(cells[0]) {
			rows[cells[0]], order = cells, append(order, cells[0])
		}
	}
	var top []string
	for _, e := range topLevel {
		top = append(top, e.ID)
	}
	if !slices.Equal(order, top) {
		t.Fatalf("README ids %v\ncatalogue ids %v", order, top)
	}
	for _, e := range topLevel {
		row := rows[e.ID]
		if row[3] != e.Ref {
			t.Errorf("%s: README reference %q, catalogue %q", e.ID, row[3], e.Ref)
		}
		if !strings.HasPrefix(row[1], e.Severity.String()) {
			t.Errorf("%s: README severity %q, catalogue %s", e.ID, row[1], e.Severity)
		}
		for _, m := range regexp.MustCompile("`(\\.[A-Za-z0-9_-]+)`").FindAllStringSubmatch(row[1]+" "+row[2], -1) {
			if _, ok := Lookup(e.ID + m[1]); !ok {
				t.Errorf("%s: the README names %s%s, which the catalogue does not have", e.ID, e.ID, m[1])
			}
		}
	}
	for _, s := range subIDs {
		parent := byID[parentID(s.ID)]
		row, sub := rows[parent.ID], "`"+strings.TrimPrefix(s.ID, parent.ID)+"`"
		if !strings.Contains(row[1]+" "+row[2], sub) {
			t.Errorf("%s: the README's %s row does not name %s", s.ID, parent.ID, sub)
		}
		if s.Severity != parent.Severity && !strings.Contains(row[1], sub) {
			t.Errorf("%s is %s, %s is %s: the README's severity cell must name %s", s.ID, s.Severity, parent.ID, parent.Severity, sub)
		}
	}
}
