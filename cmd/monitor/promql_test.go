package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A PromQL reader just good enough to list the metrics and label matchers
// an expression uses, for checking the shipped dashboard and alert rules
// against the monitor's own /metrics (promtool checks the syntax in CI).

// selector is one metric an expression reads, with the labels it matches.
type selector struct {
	metric string
	labels []string
}

var (
	// promqlWords are PromQL's aggregations, keywords and modifiers: never a
	// metric name, with or without parentheses after them.
	promqlWords = []string{"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
		"bottomk", "topk", "quantile", "limitk", "limit_ratio", "by", "without", "on", "ignoring",
		"group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan"}
	// labelLists are the words followed by a parenthesised list of labels.
	labelLists  = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}
	grafanaVar  = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_]\w*`)
	matcherName = regexp.MustCompile(`([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)`)
)

// selectors lists the metrics expr reads. Grafana's $variables are taken
// for numbers or label values.
func selectors(expr string) ([]selector, error) {
	s := grafanaVar.ReplaceAllString(expr, "0")
	var out []selector
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := closeQuote(s, i)
			if j < 0 {
				return nil, fmt.Errorf("unterminated string in %q", expr)
			}
			i = j + 1
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unterminated range in %q", expr)
			}
			i += j + 1
		case c == '{': // a selector without a name before it
			return nil, fmt.Errorf("bare label selector in %q: name the metric", expr)
		case c >= '0' && c <= '9' || c == '.':
			for i < len(s) && (isWordByte(s[i]) || s[i] == '.') {
				i++
			}
		case isWordByte(c):
			j := i
			for j < len(s) && (isWordByte(s[j]) || s[j] == ':') {
				j++
			}
			word, next := s[i:j], nextByte(s, j)
			i = j
			switch {
			case slices.Contains(labelLists, word) && next == '(':
				i = strings.IndexByte(s[i:], ')') + i + 1
			case slices.Contains(promqlWords, word), next == '(':
				// a keyword or a function
			default:
				sel, end, err := readSelector(s, word, j)
				if err != nil {
					return nil, err
				}
				out, i = append(out, sel), end
			}
		default:
			i++
		}
	}
	return out, nil
}

// readSelector reads the label matchers after metric, if any, from s[at:].
func readSelector(s, metric string, at int) (selector, int, error) {
	sel := selector{metric: metric}
	k := at
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if k >= len(s) || s[k] != '{' {
		return sel, at, nil
	}
	end := k
	for end < len(s) && s[end] != '}' {
		if s[end] == '"' {
			end = closeQuote(s, end)
			if end < 0 {
				return sel, 0, fmt.Errorf("unterminated string after %s", metric)
			}
		}
		end++
	}
	inside := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`).ReplaceAllString(s[k+1:end], `""`)
	for _, m := range matcherName.FindAllStringSubmatch(inside, -1) {
		sel.labels = append(sel.labels, m[1])
	}
	return sel, end + 1, nil
}

func closeQuote(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case s[i]:
			return j
		}
	}
	return -1
}

func nextByte(s string, i int) byte {
	for ; i < len(s); i++ {
		if s[i] != ' ' {
			return s[i]
		}
	}
	return 0
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// TestSelectors: the reader finds every metric of the shapes the deploy
// files use, and nothing else, so that the checks built on it can fail.
func TestSelectors(t *testing.T) {
	tests := []struct {
		expr string
		want []string // metric{label,label}
	}{
		{`up{job="authmon"} == 0`, []string{"up{job}"}},
		{`absent(up{job="authmon"})`, []string{"up{job}"}},
		{`sum by (job, instance) (increase(authmon_runs_total{job="a", result=~"passed|failed"}[1h])) == 0`,
			[]string{"authmon_runs_total{job,result}"}},
		{`histogram_quantile(0.95, sum by (check, le) (rate(authmon_probe_duration_seconds_bucket{job=~"$job", check=~"$check"}[$__rate_interval])))`,
			[]string{"authmon_probe_duration_seconds_bucket{job,check}"}},
		{`authmon_check_severity{job="authmon"} >= 4 and on (job, instance, check) authmon_check_state{state="failing"} == 1`,
			[]string{"authmon_check_severity{job}", "authmon_check_state{state}"}},
		{`time() - authmon_check_last_run_timestamp_seconds offset 5m`, []string{"authmon_check_last_run_timestamp_seconds{}"}},
		{`authmon_check_cert_expiry_seconds < 14 * 86400 or go_goroutines > 1e3`,
			[]string{"authmon_check_cert_expiry_seconds{}", "go_goroutines{}"}},
		{`sum without (reason) (authmon_skipped_runs_total{reason!="a}b,c=d"}) / ignoring(x) group_left(y) authmon_runs_total`,
			[]string{"authmon_skipped_runs_total{reason}", "authmon_runs_total{}"}},
	}
	for _, tt := range tests {
		sels, err := selectors(tt.expr)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		var got []string
		for _, s := range sels {
			got = append(got, s.metric+"{"+strings.Join(s.labels, ",")+"}")
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.expr, got, tt.want)
		}
	}
	for _, bad := range []string{`up{job="x}`, `{job="x"}`, `rate(x[5m)`} {
		if _, err := selectors(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
