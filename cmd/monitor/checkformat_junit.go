package main

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// JUnit XML as CI servers read it (GitLab, Jenkins, GitHub test reporters):
// one <testsuite> per group (checks without a group form the "authmon"
// suite), one <testcase> per check. A check failing at or above -fail-on
// has a <failure> listing every failed assertion; one failing below it
// passes, its failures in <system-out>, like the assertions it waived.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"` // the worst severity
	Text    string `xml:",chardata"`
}

// junitDefaultSuite names the suite of checks without a group.
const junitDefaultSuite = "authmon"

func printJUnit(w io.Writer, cr checkRun) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitDoc(cr)); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitDoc groups the checks into suites in the order groups first appear.
func junitDoc(cr checkRun) junitSuites {
	doc := junitSuites{Name: "authmon check"}
	index := map[string]int{}
	var spent []time.Duration // per suite
	var total time.Duration
	for i, r := range cr.Results {
		group := cmp.Or(cr.Checks[i].Group, junitDefaultSuite)
		k, ok := index[group]
		if !ok {
			k = len(doc.Suites)
			index[group] = k
			spent = append(spent, 0)
			doc.Suites = append(doc.Suites, junitSuite{Name: group, Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
				Properties: []junitProperty{{Name: "fail_on", Value: cr.failOnName()}}})
		}
		s, tc := &doc.Suites[k], junitTestCase(cr, i, group)
		s.Tests++
		doc.Tests++
		if tc.Failure != nil {
			s.Failures++
			doc.Failures++
		}
		spent[k] += r.Duration
		total += r.Duration
		s.Time = seconds(spent[k])
		s.Cases = append(s.Cases, tc)
	}
	doc.Time = seconds(total)
	return doc
}

func junitTestCase(cr checkRun, i int, group string) junitCase {
	c, r := cr.Checks[i], cr.Results[i]
	tc := junitCase{Name: c.Name, Classname: group, Time: seconds(r.Duration)}
	var fails, out []string
	for _, p := range r.Probes {
		if p.Skipped != "" {
			out = append(out, fmt.Sprintf("%s: skipped: %s", p.Kind, p.Skipped))
		}
		for _, a := range p.Assertions {
			line := fmt.Sprintf("%s: %s (%s)", p.Kind, assertionLine(a), a.Ref)
			switch {
			case !a.Pass:
				fails = append(fails, line)
			case a.Waived():
				out = append(out, "waived: "+line)
			}
		}
	}
	switch {
	case cr.blocking(i):
		tc.Failure = &junitFailure{Message: fmt.Sprintf("%d assertion(s) failed, worst %s: %s", len(fails), r.Severity(), firstReason(r)),
			Type: r.Severity().String(), Text: strings.Join(fails, "\n")}
	case len(fails) > 0:
		out = append([]string{fmt.Sprintf("failed below -fail-on %s, not blocking:", cr.FailOn)}, append(fails, out...)...)
	}
	tc.SystemOut = strings.Join(out, "\n")
	return tc
}

// firstReason is the reason of the first failed assertion.
func firstReason(r checks.Result) string {
	if fs := r.Failures(); len(fs) > 0 {
		return fs[0].Assertion.Reason
	}
	return ""
}

// seconds is a duration as JUnit writes it: seconds with milliseconds.
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
