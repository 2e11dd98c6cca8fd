package web

import (
	"context"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// SkippedRuns is a check's tally of scheduled runs that did not happen
// since the monitor started: a run that outlasts its interval loses the
// slots in between.
type SkippedRuns struct {
	Count  int
	Last   time.Time
	Reason string // "still_running" or "no_slot"
	Since  time.Time
}

// runHealth is what the check page says about runs that were not made and
// probes the failed-login budget held back.
type runHealth struct {
	Skipped SkippedRuns
	Budgets []checks.BudgetState
	Now     time.Time
}

// loadRunHealth reads the check's skipped runs and its accounts' budgets.
func (h *handler) loadRunHealth(ctx context.Context, c checks.Check) (runHealth, error) {
	rh := runHealth{Now: h.Now()}
	if h.Skipped != nil {
		rh.Skipped = h.Skipped(c.Name)
	}
	if h.Budgets != nil {
		b, err := h.Budgets(ctx, c)
		if err != nil {
			return rh, fmt.Errorf("load failed-login budget of %q: %w", c.Name, err)
		}
		rh.Budgets = b
	}
	return rh, nil
}

// skipReason says why the latest skipped run was lost.
func skipReason(reason string) string {
	switch reason {
	case "still_running":
		return "the previous run was still going"
	case "no_slot":
		return "no free slot to run in within the timeout"
	}
	return reason
}

// budgetLine is "3/20 in the last hour" with, when spent, when it frees.
func budgetLine(b checks.BudgetState) string {
	if b.Exhausted() {
		return fmt.Sprintf("exhausted, %s: its probes are skipped until %s", b, fmtTime(b.Resets))
	}
	return b.String()
}
