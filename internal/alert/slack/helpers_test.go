package slack

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// The fixtures below are those of the alert package's tests, for the tests
// that run a Slack notifier, alone or under the sender.

// backoffMax is the sender's longest wait between retries: a fake clock
// advanced by more than it finds every retry due.
const backoffMax = 5 * time.Minute

// backoff is a wait the sender may pick before a retry after many failed
// attempts: full jitter under backoffMax.
func backoff() time.Duration { return max(rand.N(backoffMax), time.Millisecond) }

// evT0 is when the incidents of these tests start failing.
var evT0 = time.Date(2025, 3, 1, 21, 3, 0, 0, time.UTC)

// bypass is a B1 regression: the endpoint answers without credentials.
func bypass() alert.Regression {
	return alert.Regression{Key: "missing/B1", Before: "401 Unauthorized", Failure: checks.Failure{
		Probe: checks.ProbeMissing, Method: "GET", URL: "https://api.example.test/me",
		Assertion: checks.Assertion{ID: "B1", Ref: "RFC 9110 §11.4", Severity: checks.SevCritical,
			Expected: "401", Got: "200 OK"}}}
}

// wrongChallenge is a conformance regression.
func wrongChallenge() alert.Regression {
	return alert.Regression{Key: "wrong/C3", Failure: checks.Failure{
		Probe: checks.ProbeWrong, Method: "POST", URL: "https://x.test/a",
		Assertion: checks.Assertion{ID: "C3", Ref: "RFC 6750 §3", Severity: checks.SevConf,
			Expected: "WWW-Authenticate: Bearer", Got: "none"}}}
}

// event is a notification of incident id about check, 14 minutes in.
func event(kind alert.Kind, check string, id int64, regs ...alert.Regression) alert.Event {
	ev := alert.Event{Kind: kind, Check: check, IncidentID: id, At: evT0.Add(14 * time.Minute),
		Since: evT0, Regressions: regs}
	for _, r := range regs {
		ev.Severity = max(ev.Severity, r.Failure.Assertion.Severity)
	}
	if kind == alert.KindResolved {
		ev.Resolved = ev.At
	}
	return ev
}

// blockTexts returns the text of every section and context element.
func blockTexts(t *testing.T, blocks []slackapi.Block) string {
	t.Helper()
	var parts []string
	for _, b := range blocks {
		switch b := b.(type) {
		case *slackapi.SectionBlock:
			parts = append(parts, b.Text.Text)
		case *slackapi.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				parts = append(parts, e.(*slackapi.TextBlockObject).Text)
			}
		default:
			t.Fatalf("unexpected block %T", b)
		}
	}
	return strings.Join(parts, "\n")
}
