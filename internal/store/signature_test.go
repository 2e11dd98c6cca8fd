package store

import (
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestSignatureSeesEveryOutcome: latencies aside, any outcome a run's
// evidence shows changes the signature, so that run gets its own evidence.
func TestSignatureSeesEveryOutcome(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := signature(passingRun("a", at).Probes)
	same := passingRun("a", at)
	same.Probes[0].Latency, same.Probes[1].Timing.Total = time.Second, time.Second
	if signature(same.Probes) != base {
		t.Fatal("a latency changed the signature")
	}
	changes := map[string]func(p []checks.ProbeResult){
		"status":      func(p []checks.ProbeResult) { p[1].Status = 403 },
		"status text": func(p []checks.ProbeResult) { p[1].StatusText = "Forbidden" },
		"error":       func(p []checks.ProbeResult) { p[0].Error = "timeout" },
		"url":         func(p []checks.ProbeResult) { p[2].URL += "/" },
		"challenge":   func(p []checks.ProbeResult) { p[1].ChallengeRaw = []string{`Basic realm="x"`} },
		"problem":     func(p []checks.ProbeResult) { p[1].ChallengeProblems = []string{"quoted"} },
		"assertion":   func(p []checks.ProbeResult) { p[1].Assertions[0].Pass = false },
		"got":         func(p []checks.ProbeResult) { p[1].Assertions[1].Got = "401 Unauthorised" },
		"deviation":   func(p []checks.ProbeResult) { p[2].Assertions[0].Deviation = "allowed" },
		"severity":    func(p []checks.ProbeResult) { p[2].Assertions[0].Severity++ },
		"moved":       func(p []checks.ProbeResult) { p[1].Assertions = append(p[1].Assertions[:1:1], p[1].Assertions[2:]...) },
		"probe gone":  func(p []checks.ProbeResult) { p[2] = checks.ProbeResult{} },
	}
	for name, change := range changes {
		r := passingRun("a", at)
		change(r.Probes)
		if signature(r.Probes) == base {
			t.Errorf("%s: same signature", name)
		}
	}
}
