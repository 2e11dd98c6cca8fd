package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// checkRun is what one `monitor check` found, and the gate it is judged by.
// Every output format prints it; they agree on the exit code.
type checkRun struct {
	// FailOn is the least severity that fails the command; SevNone means
	// any failure does.
	FailOn  checks.Severity
	Checks  []checks.Check  // the selected checks
	Results []checks.Result // Results[i] is the run of Checks[i]
	Red     *redact.Redactor
}

// blocking reports whether check i failed at or above FailOn.
func (cr checkRun) blocking(i int) bool {
	r := cr.Results[i]
	return !r.Passed() && r.Severity() >= cr.FailOn
}

// counts are passed, failed, and failed at or above FailOn.
func (cr checkRun) counts() (passed, failed, blocking int) {
	for i, r := range cr.Results {
		switch {
		case r.Passed():
			passed++
		case cr.blocking(i):
			failed++
			blocking++
		default:
			failed++
		}
	}
	return passed, failed, blocking
}

// exitCode is exitFailed when a check failed at or above FailOn.
func (cr checkRun) exitCode() int {
	if _, _, b := cr.counts(); b > 0 {
		return exitFailed
	}
	return exitOK
}

// failOnName is how outputs name the gate.
func (cr checkRun) failOnName() string {
	if cr.FailOn == checks.SevNone {
		return "any"
	}
	return cr.FailOn.String()
}

// formatter writes a run in one output format.
type formatter func(io.Writer, checkRun) error

var formats = map[string]formatter{
	"table":  printTable,
	"json":   printJSON,
	"junit":  printJUnit,
	"github": printGitHub,
}

func formatNames() []string {
	return []string{"table", "json", "junit", "github"}
}

// millis is a duration in milliseconds to the microsecond, the unit of the
// HTTP API.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// assertionLine is "[ID severity] reason", the form every text output uses.
func assertionLine(a checks.Assertion) string {
	return fmt.Sprintf("[%s %s] %s", a.ID, a.Severity, a.Reason)
}

// printTable writes one line per probe, each starting with the check's
// name so that grep and CI logs keep the context. RESULT is pass, waived
// (passed thanks to ignore), skip, FAIL (fails the command) or fail (below
// -fail-on). LATENCY_MS is in milliseconds, as in the HTTP API.
func printTable(w io.Writer, cr checkRun) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tPROBE\tRESULT\tSTATUS\tLATENCY_MS\tREASON")
	for i, r := range cr.Results {
		for _, p := range r.Probes {
			verdict, reason := probeVerdict(p, cr.blocking(i))
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s\n", oneLine(r.Check), p.Kind, verdict, statusCell(p),
				millis(p.Latency), oneLine(reason))
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, tableSummary(cr))
	return tw.Flush()
}

// probeVerdict is a probe's RESULT cell and its reasons: failures first,
// then what was waived.
func probeVerdict(p checks.ProbeResult, blocking bool) (verdict, reason string) {
	var fails, waives []string
	for _, a := range p.Assertions {
		switch {
		case !a.Pass:
			fails = append(fails, assertionLine(a))
		case a.Waived():
			waives = append(waives, "waived "+assertionLine(a))
		case a.Insecure():
			waives = append(waives, "INSECURE "+a.Deviation)
		}
	}
	reasons := strings.Join(slices.Concat(fails, waives), "; ")
	switch {
	case p.Skipped != "":
		return "skip", p.Skipped
	case len(fails) > 0 && blocking:
		return "FAIL", reasons
	case len(fails) > 0:
		return "fail", reasons
	case len(waives) > 0 && strings.Contains(reasons, "INSECURE "):
		return "insecure", reasons
	case len(waives) > 0:
		return "waived", reasons
	}
	return "pass", ""
}

// tableSummary: "3 checks: 1 passed, 2 failed" and, when it matters, how
// many failures are below -fail-on and how many assertions were waived.
func tableSummary(cr checkRun) string {
	passed, failed, blocking := cr.counts()
	s := fmt.Sprintf("%d checks: %d passed, %d failed", len(cr.Results), passed, failed)
	if cr.FailOn != checks.SevNone && failed > 0 {
		s += fmt.Sprintf(" (%d at or above -fail-on %s)", blocking, cr.FailOn)
	}
	if n := cr.waivedCount(); n > 0 {
		s += fmt.Sprintf("; %d assertions waived", n)
	}
	return s
}

func (cr checkRun) waivedCount() int {
	n := 0
	for _, r := range cr.Results {
		for _, p := range r.Probes {
			for _, a := range p.Assertions {
				if a.Waived() {
					n++
				}
			}
		}
	}
	return n
}

func statusCell(p checks.ProbeResult) string {
	if p.Status == 0 {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", p.Status, p.StatusText)
}

// oneLine keeps a cell on its line: a target's text may hold line breaks
// or tabs that would split a row or shift its columns.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
