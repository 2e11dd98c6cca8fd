package scheduler

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyChecks: the scheduler knows checks and what it declares
// itself (Recorder, RunFunc, Observer), never the store or the alerts: the
// pipeline behind its Recorder does.
func TestImportsOnlyChecks(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/authmon/monitor/") && imp != "github.com/authmon/monitor/internal/checks" {
			t.Errorf("scheduler imports %s", imp)
		}
	}
}
