package checks

import (
	"fmt"
	"net/http"
	"time"
)

// positiveProbes are the probes that must get through, with the id of
// their availability assertion: a 429 to them is the service refusing its
// users once it persists.
var positiveProbes = map[ProbeKind]string{
	ProbeValid: "A2", ProbeLogin: "A1", ProbeToken: "A1", ProbeDiscovery: "A5",
}

// settle judges the check's positive probe across runs. A 429 to it is
// "rate limited" once; when 429s persist past the pause the target asked
// for, or for persist runs, the target refuses good credentials too: an
// availability failure saying how long it has lasted. Any other answer
// ends the streak; no answer at all (A0) leaves it as it is.
func (l *rateLimits) settle(check string, probes []ProbeResult) {
	now := l.now()
	for i := range probes {
		p := &probes[i]
		id, positive := positiveProbes[p.Kind]
		if !positive || p.Status == 0 {
			continue
		}
		if a, failed := l.streakOf(check, p, now, id); failed {
			p.Assertions = append(p.Assertions, a)
		}
	}
}

// streakOf records one answer to the positive probe and returns the
// availability failure when the 429s have lasted too long.
func (l *rateLimits) streakOf(check string, p *ProbeResult, now time.Time, id string) (Assertion, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.Status != http.StatusTooManyRequests {
		delete(l.streaks, check)
		return Assertion{}, false
	}
	s, seen := l.streaks[check]
	pastPause := seen && !now.Before(s.asked)
	if !seen {
		s.since = now
	}
	s.runs++
	s.asked, _ = l.pauses.peek(check)
	l.streaks[check] = s
	if !pastPause && s.runs < l.persist {
		return Assertion{}, false
	}
	lasted := now.Sub(s.since).Round(time.Second)
	why := fmt.Sprintf("%d runs in a row", s.runs)
	if pastPause {
		why = "past the pause it asked for"
	}
	got := fmt.Sprintf("429 for %s over %d runs", lasted, s.runs)
	a := assertion(id)
	a.Expected, a.Got = "an answer other than 429 once the pause the target asked for has passed", got
	a.Reason = fmt.Sprintf("%s: rate limited (429) for %s over %d runs, %s: the target refuses good credentials too",
		p.Kind.Phrase(), lasted, s.runs, why)
	return a, true
}
