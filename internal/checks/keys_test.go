package checks

import (
	"context"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks/fositetest"
)

// keyRuns runs the check once, then steps the server between further
// runs, and returns the verdicts of the last run.
func keyRuns(t *testing.T, s *fositetest.Server, steps ...func()) map[string]bool {
	t.Helper()
	rn := lifeRunner()
	ch := lifeCheck(s)
	ch.Probes = []ProbeSpec{{Kind: ProbeToken}, {Kind: ProbeRefresh}, {Kind: ProbeKeys}}
	res := rn.Run(context.Background(), ch)
	for _, step := range steps {
		step()
		res = rn.Run(context.Background(), ch)
	}
	for _, f := range res.Failures() {
		t.Logf("%s %s: %s", f.Probe, f.Assertion.ID, f.Assertion.Reason)
	}
	return verdicts(res)
}

func TestKeyRotation(t *testing.T) {
	t.Run("safe rotation: publish, then sign, old key kept", func(t *testing.T) {
		s := fositetest.New(t)
		var next string
		v := keyRuns(t, s, func() { next = s.Publish() }, func() { s.SignWith(next) })
		for _, id := range []string{"A6", "A6.kid", "A6.removed", "A6.overlap"} {
			if !v[id] {
				t.Errorf("%s: %v", id, v)
			}
		}
	})
	t.Run("new key signs in the run it is published", func(t *testing.T) {
		s := fositetest.New(t)
		v := keyRuns(t, s, func() { s.NewSigningKey() })
		if pass, ok := v["A6.overlap"]; !ok || pass {
			t.Errorf("A6.overlap: %v", v)
		}
		if !v["A6.kid"] || !v["A6.removed"] {
			t.Errorf("only the overlap is wrong: %v", v)
		}
	})
	t.Run("old key removed while its tokens are valid", func(t *testing.T) {
		s := fositetest.New(t)
		old := s.SigningKid()
		var next string
		v := keyRuns(t, s, func() { next = s.Publish() }, func() { s.SignWith(next); s.Unpublish(old) })
		if pass, ok := v["A6.removed"]; !ok || pass {
			t.Errorf("A6.removed: %v", v)
		}
		if !v["A6.overlap"] || !v["A6.kid"] {
			t.Errorf("only the removal is wrong: %v", v)
		}
	})
	t.Run("token signed by an unpublished key", func(t *testing.T) {
		s := fositetest.New(t)
		v := keyRuns(t, s, func() { s.Unpublish(s.NewSigningKey()) })
		if pass, ok := v["A6.kid"]; !ok || pass {
			t.Errorf("A6.kid: %v", v)
		}
	})
}

// TestKeyRemovedAfterItsTokensExpired: removing a key is fine once the
// last token signed with it has expired.
func TestKeyRemovedAfterItsTokensExpired(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := []KeyRecord{{Kid: "old", FirstSeen: t0, LastSeen: t0, FirstToken: t0, TokenExp: t0.Add(time.Hour)},
		{Kid: "new", FirstSeen: t0, LastSeen: t0}}
	keys := []publishedKey{{id: "new", kty: "EC"}}
	for _, tc := range []struct {
		at   time.Time
		pass bool
	}{{t0.Add(30 * time.Minute), false}, {t0.Add(2 * time.Hour), true}} {
		next, as := judgeKeys(ProbeKeys, prev, keys, nil, tc.at)
		if len(as) != 1 || as[0].ID != "A6.removed" || as[0].Pass != tc.pass {
			t.Errorf("at %s: %+v", tc.at, as)
		}
		if next[0].Removed != tc.at {
			t.Errorf("removal not recorded: %+v", next[0])
		}
	}
}
