package web

import (
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// explanation is what the check page says about an assertion id: the
// standard it comes from and one line a person who does not read RFCs can
// follow. Both come from the one assertion catalogue (checks.Lookup).
type explanation struct {
	Ref  string
	Text string
}

// explain returns the explanation of an assertion id from the catalogue.
// An id the catalogue does not have, such as one recorded by an older
// version, is explained by its longest known prefix at a dot
// ("B9.alg.none" by "B9.alg"); an unknown id gets none.
func explain(id string) (explanation, bool) {
	for {
		if e, ok := checks.Lookup(id); ok {
			return explanation{Ref: e.Ref, Text: e.Explain}, true
		}
		i := strings.LastIndexByte(id, '.')
		if i < 0 {
			return explanation{}, false
		}
		id = id[:i]
	}
}

// explainText is the one-line explanation of an id, or "" when unknown.
func explainText(id string) string {
	e, _ := explain(id)
	return e.Text
}

// assertionRef is the reference to show: the one the judge recorded, else
// the catalogue's.
func assertionRef(id, recorded string) string {
	if recorded != "" {
		return recorded
	}
	if e, ok := explain(id); ok {
		return e.Ref
	}
	return "—"
}
