package checks

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The enumeration probe (B11, opt-in) asks whether an outsider can tell an
// unknown user from a known one with a wrong password (OWASP WSTG-IDNT-04,
// CWE-204): it interleaves pairs of failed logins and compares status, body
// shape, header set and latency. It sends many failed logins for the canary
// account, so it runs at most once per EnumerationSpec.Every and stops at
// the first 429.

// Defaults of EnumerationSpec.
const (
	DefaultEnumSamples   = 10
	DefaultEnumThreshold = 50 * time.Millisecond
	DefaultEnumEvery     = time.Hour
	maxEnumSamples       = 100
)

// answer is what one failed login looked like from outside.
type answer struct {
	status  int
	keys    string // sorted JSON member names; "" when the body is not a JSON object
	length  int    // with the user name taken out, so an echo of it does not count
	headers string // which of WWW-Authenticate, Set-Cookie, Location came, and where Location points
	latency time.Duration
}

// probeEnumeration runs the probe when it is configured and due; ran is
// false when it was left out of this run.
func probeEnumeration(ctx context.Context, hc *http.Client, ch Check, spec LoginSpec, rl *rateLimits, g gate) (p ProbeResult, seen []string, ran bool) {
	e := ch.Enumeration
	if e == nil {
		return p, nil, false
	}
	now := rl.now()
	if until, paused := rl.pauses.paused(ch.Name, now); paused {
		return skippedProbe(ProbeEnumeration, spec.Method, spec.URL, until), nil, true
	}
	if !rl.enumDue.take(ch.Name, now, now.Add(durationOr(e.Every, DefaultEnumEvery))) {
		return p, nil, false
	}
	users := [2]string{cmp.Or(e.UnknownUser, "authmon-unknown-"+randomHex(8)), canaryUser(ch, spec)}
	n := min(max(e.Samples, 0), maxEnumSamples)
	if n == 0 {
		n = DefaultEnumSamples
	}
	// All the known user's failed logins or none: a comparison cut short
	// by the budget would judge on too few pairs. Refused, it is tried
	// again at the next run.
	if skip, ok := g.spend(ctx, users[1], n, ProbeEnumeration, spec.Method, spec.URL); !ok {
		rl.enumDue.clear(ch.Name)
		return skip, nil, true
	}
	var seenBy [2][]answer
	for i := range n {
		for j := range 2 {
			who := (i + j) % 2 // alternate who goes first, so drift hits both alike
			q, x, stop := enumerationAttempt(ctx, hc, ch, spec, users[who], rl)
			seen = append(seen, issuedValues(spec, x, nil)...)
			if stop {
				return q, seen, true
			}
			seenBy[who] = append(seenBy[who], observe(x, q.Timing, users[who]))
			if who == 0 {
				p = q // the evidence shown is the unknown user's answer
			}
		}
	}
	p.Assertions = compareAnswers(seenBy[0], seenBy[1], durationOr(e.Threshold, DefaultEnumThreshold))
	return p, seen, true
}

// enumerationAttempt sends one failed login; stop says the probe ends here
// (no answer, or rate limited) with p as its result.
func enumerationAttempt(ctx context.Context, hc *http.Client, ch Check, spec LoginSpec, user string, rl *rateLimits) (ProbeResult, exchange, bool) {
	o, err := loginOutgoing(spec, user, wrongSecret(), nil)
	if err != nil {
		p := ProbeResult{Kind: ProbeEnumeration, Method: spec.Method, URL: spec.URL, Error: err.Error()}
		p.Assertions = []Assertion{unreachable(ProbeEnumeration, p.Error)}
		return p, exchange{err: err}, true
	}
	p, x := sendProbe(ctx, hc, ch, ProbeEnumeration, o)
	if x.err != nil {
		return p, x, true
	}
	if rl.throttled(ch.Name, &p, x.header) {
		return p, x, true
	}
	return p, x, false
}

func observe(x exchange, t Timing, user string) answer {
	a := answer{status: x.status, latency: t.Total}
	if t.FirstByte > 0 {
		a.latency = t.FirstByte // the server's work, without connection set-up
	}
	body := strings.ReplaceAll(string(x.body), user, "")
	a.length = len(body)
	if doc, ok := jsonObject(x.body); ok {
		a.keys = "{" + strings.Join(slices.Sorted(maps.Keys(doc)), ", ") + "}"
	}
	var hs []string
	for _, name := range []string{"WWW-Authenticate", "Set-Cookie"} {
		if len(x.header.Values(name)) > 0 {
			hs = append(hs, name)
		}
	}
	if loc := x.header.Get("Location"); loc != "" {
		hs = append(hs, "Location: "+strings.ReplaceAll(loc, user, "<user>"))
	}
	a.headers = strings.Join(hs, ", ")
	if a.headers == "" {
		a.headers = "none of WWW-Authenticate, Set-Cookie, Location"
	}
	return a
}

// compareAnswers judges B11 on the unknown user's answers against the
// known user's.
func compareAnswers(unknown, known []answer, threshold time.Duration) []Assertion {
	k := ProbeEnumeration
	pair := func(what string, u, w string) (bool, string) {
		return u == w, fmt.Sprintf("%s %s for an unknown user, %s for a wrong password", what, u, w)
	}
	var out []Assertion
	same, got := pair("status", mostCommon(unknown, func(a answer) string { return fmt.Sprint(a.status) }),
		mostCommon(known, func(a answer) string { return fmt.Sprint(a.status) }))
	out = append(out, check("B11.status", same, "the same status", got, k))

	uk, wk := mostCommon(unknown, func(a answer) string { return a.keys }), mostCommon(known, func(a answer) string { return a.keys })
	if uk != "" && wk != "" {
		same, got = pair("JSON members", uk, wk)
	} else {
		ul, wl := median(unknown, func(a answer) int { return a.length }), median(known, func(a answer) int { return a.length })
		same = max(ul-wl, wl-ul)*10 <= max(ul, wl)
		got = fmt.Sprintf("bodies of %d bytes for an unknown user, %d for a wrong password", ul, wl)
	}
	out = append(out, check("B11.body", same, "the same body shape (JSON members, or length within 10%)", got, k))

	same, got = pair("headers", mostCommon(unknown, func(a answer) string { return a.headers }),
		mostCommon(known, func(a answer) string { return a.headers }))
	out = append(out, check("B11.headers", same, "the same WWW-Authenticate, Set-Cookie and Location", got, k))

	ut, wt := median(unknown, func(a answer) time.Duration { return a.latency }), median(known, func(a answer) time.Duration { return a.latency })
	diff := absDur(ut - wt)
	out = append(out, check("B11.timing", diff <= threshold,
		fmt.Sprintf("medians within %s of each other", threshold),
		fmt.Sprintf("median %s for an unknown user, %s for a wrong password (%d pairs)", ut.Round(time.Millisecond/10), wt.Round(time.Millisecond/10), min(len(unknown), len(known))), k))
	return out
}

func mostCommon(as []answer, key func(answer) string) string {
	counts := map[string]int{}
	best, bestN := "", 0
	for _, a := range as {
		v := key(a)
		counts[v]++
		if counts[v] > bestN {
			best, bestN = v, counts[v]
		}
	}
	return best
}

func median[T int | time.Duration](as []answer, val func(answer) T) T {
	if len(as) == 0 {
		return 0
	}
	vs := make([]T, len(as))
	for i, a := range as {
		vs[i] = val(a)
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func durationOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
