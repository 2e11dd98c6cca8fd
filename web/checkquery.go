package web

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// span is a latency chart's window and the rollup it is drawn from.
type span struct {
	Key    string // the ?range= value
	Label  string
	Length time.Duration
	Step   time.Duration // time.Hour or a day: the two rollup periods
}

// spans are the chart's windows; the first is the default.
var spans = []span{
	{"24h", "24 h", 24 * time.Hour, time.Hour},
	{"7d", "7 d", 7 * 24 * time.Hour, time.Hour},
	{"30d", "30 d", 30 * 24 * time.Hour, 24 * time.Hour},
}

// checkQuery is what a check page's URL selects: the chart's span and a
// page of runs (?before= a run id, within ?from= and ?to=, in UTC). Every
// link of the page keeps the other parameters.
type checkQuery struct {
	Span     span
	Before   int64
	From, To time.Time
}

// queryTimeLayouts are accepted for ?from= and ?to=: what a datetime-local
// input sends, with or without seconds, RFC 3339, or a date.
var queryTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02"}

// parseCheckQuery reads a check page's parameters; the error is a sentence
// for the person who typed the URL.
func parseCheckQuery(v url.Values) (checkQuery, error) {
	q := checkQuery{Span: spans[0]}
	if key := v.Get("range"); key != "" {
		found := false
		for _, s := range spans {
			if s.Key == key {
				q.Span, found = s, true
			}
		}
		if !found {
			return q, fmt.Errorf("range %q is not one of 24h, 7d, 30d", key)
		}
	}
	if b := v.Get("before"); b != "" {
		id, err := strconv.ParseInt(b, 10, 64)
		if err != nil || id <= 0 {
			return q, fmt.Errorf("before %q is not a run number", b)
		}
		q.Before = id
	}
	var err error
	if q.From, err = parseQueryTime("from", v.Get("from"), false); err != nil {
		return q, err
	}
	if q.To, err = parseQueryTime("to", v.Get("to"), true); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, fmt.Errorf("from (%s) must be before to (%s)", fmtTime(q.From), fmtTime(q.To))
	}
	return q, nil
}

// parseQueryTime reads a time in UTC. A date alone as the end of a range
// means the end of that day, so from=to=2026-03-01 is that whole day.
func parseQueryTime(name, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range queryTimeLayouts {
		t, err := time.ParseInLocation(layout, s, time.UTC)
		if err != nil {
			continue
		}
		if end && layout == "2006-01-02" {
			t = t.Add(24 * time.Hour)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s %q is not a time such as 2026-03-01T12:00 (UTC)", name, s)
}

// inputTime writes a time as a datetime-local input wants it.
func inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Second() != 0 {
		return t.UTC().Format("2006-01-02T15:04:05")
	}
	return t.UTC().Format("2006-01-02T15:04")
}

// href is the check page's URL with this query; defaults are left out.
func (q checkQuery) href(check string) string {
	v := url.Values{}
	if q.Span.Key != spans[0].Key {
		v.Set("range", q.Span.Key)
	}
	if !q.From.IsZero() {
		v.Set("from", inputTime(q.From))
	}
	if !q.To.IsZero() {
		v.Set("to", inputTime(q.To))
	}
	if q.Before != 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if len(v) == 0 {
		return checkHref(check)
	}
	return checkHref(check) + "?" + v.Encode()
}

// withSpan is the query showing another span of the chart.
func (q checkQuery) withSpan(s span) checkQuery {
	q.Span = s
	return q
}

// filtered says whether a time range narrows the runs.
func (q checkQuery) filtered() bool { return !q.From.IsZero() || !q.To.IsZero() }

// clearRange is the URL without the time range and paging.
func (q checkQuery) clearRange(check string) string {
	return checkQuery{Span: q.Span}.href(check)
}
