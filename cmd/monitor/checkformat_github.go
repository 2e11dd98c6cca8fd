package main

import (
	"fmt"
	"io"
	"strings"
)

// printGitHub writes GitHub Actions workflow commands: an ::error annotation
// per check failing at or above -fail-on, a ::warning per check failing
// below it, a ::notice per check with waived assertions, and a plain log
// line per passing check. One annotation per check, not per assertion:
// GitHub shows at most 10 errors and 10 warnings of a step.
func printGitHub(w io.Writer, cr checkRun) error {
	var b strings.Builder
	for i, r := range cr.Results {
		c := cr.Checks[i]
		var fails, waives []string
		for _, p := range r.Probes {
			for _, a := range p.Assertions {
				line := fmt.Sprintf("%s: %s (%s)", p.Kind, assertionLine(a), a.Ref)
				if !a.Pass {
					fails = append(fails, line)
				} else if a.Waived() {
					waives = append(waives, line)
				}
			}
		}
		switch {
		case cr.blocking(i):
			ghCommand(&b, "error", fmt.Sprintf("authmon check %s: %s", c.Name, r.Severity()), fails)
		case len(fails) > 0:
			ghCommand(&b, "warning", fmt.Sprintf("authmon check %s: %s (below -fail-on %s)", c.Name, r.Severity(), cr.FailOn), fails)
		default:
			fmt.Fprintf(&b, "authmon check %s: passed (%d probes, %.1f ms)\n", ghData(c.Name), len(r.Probes), millis(r.Duration))
		}
		if len(waives) > 0 {
			ghCommand(&b, "notice", fmt.Sprintf("authmon check %s: waived", c.Name), waives)
		}
	}
	fmt.Fprintln(&b, ghData(tableSummary(cr)))
	_, err := io.WriteString(w, b.String())
	return err
}

// ghCommand writes `::level title=TITLE::LINE1%0ALINE2`.
func ghCommand(b *strings.Builder, level, title string, lines []string) {
	fmt.Fprintf(b, "::%s title=%s::%s\n", level, ghProperty(title), ghData(strings.Join(lines, "\n")))
}

// ghData escapes a workflow command's message as the Actions toolkit does
// (escapeData): a target's text cannot end the line and start a command.
func ghData(s string) string { return ghDataEscaper.Replace(s) }

// ghProperty escapes a property value (escapeProperty): also ':' and ',',
// which separate properties and the message.
func ghProperty(s string) string { return ghPropertyEscaper.Replace(s) }

var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)
