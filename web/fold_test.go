package web

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/store"
)

// TestFoldedRunsShown: passing runs that repeat the one before are one
// row in the store (store/fold.go); the check page says how many runs it
// stands for and until when, the API gives the same counts, and the
// overview's bar still has a mark per run.
func TestFoldedRunsShown(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "fold.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	start := t0.Add(-10 * time.Minute)
	for i := range 5 {
		res := basicRun(start.Add(time.Duration(i) * time.Minute))
		res.Duration = time.Duration(20+i) * time.Millisecond
		if _, _, err := s.RecordRun(ctx, res, eval); err != nil {
			t.Fatal(err)
		}
	}
	h := historyHandler(t, s)

	doc := parse(t, get(t, h, "/checks/api-basic"))
	if ids := runIDs(doc); len(ids) != 1 {
		t.Fatalf("check page rows %v: want one row for the five passes", ids)
	}
	note := doc.Find(`[data-testid="run-folded"]`)
	want := "+4 more runs, same outcome, until " + fmtTime(start.Add(4*time.Minute)) + ", slowest 24 ms"
	if note.Length() != 1 || strings.TrimSpace(note.Text()) != want {
		t.Fatalf("fold note %q (%d), want %q", note.Text(), note.Length(), want)
	}

	// The run's own page says the same.
	href := doc.Find(`[data-testid="evidence-link"]`).AttrOr("href", "")
	if got := strings.TrimSpace(parse(t, get(t, h, href)).Find(`[data-testid="run-folded"]`).Text()); got != want {
		t.Fatalf("run page %s: fold note %q, want %q", href, got, want)
	}

	var api struct {
		Runs []struct {
			Repeats       int64     `json:"repeats"`
			LastStarted   time.Time `json:"last_started"`
			MaxDurationMS float64   `json:"max_duration_ms"`
		}
	}
	getJSON(t, h, "/api/v1/checks/api-basic/runs", http.StatusOK, &api)
	if len(api.Runs) != 1 || api.Runs[0].Repeats != 4 || !api.Runs[0].LastStarted.Equal(start.Add(4*time.Minute)) ||
		api.Runs[0].MaxDurationMS != 24 {
		t.Fatalf("API runs %+v", api.Runs)
	}

	bar := parse(t, get(t, h, "/")).Find(`[data-check="api-basic"] .runbar`)
	if got := bar.AttrOr("aria-label", ""); got != "last 5 runs, 0 failed" {
		t.Fatalf("bar label %q", got)
	}
	titles := bar.Find("a.r").Map(func(_ int, a *goquery.Selection) string { return a.AttrOr("title", "") })
	if len(titles) != 5 || !strings.Contains(titles[4], "5 runs with the same outcome: passed") {
		t.Fatalf("bar titles %q", titles)
	}
}
