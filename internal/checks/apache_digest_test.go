//go:build linux

package checks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/checks/apachetest"
)

// The Apache tests run Digest checks against Debian's apache2 with
// mod_auth_digest (apachetest): skipped without apache2, failed on CI.

// digestCheck is a Digest check of Apache's resource with every probe a
// Digest credential runs.
func digestCheck(base, password string) checks.Check {
	denied := func(k checks.ProbeKind) checks.ProbeSpec {
		return checks.ProbeSpec{Kind: k, Scheme: "Digest", Realm: apachetest.Realm}
	}
	return checks.Check{Name: "apache private", Method: "GET", URL: base + apachetest.Path,
		Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:    checks.Credential{Kind: checks.AuthDigest, Username: apachetest.User, Password: password},
		Secrets: []string{password},
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid, Status: []int{200}, BodyContains: apachetest.Body},
			denied(checks.ProbeMissing), denied(checks.ProbeMalformed), denied(checks.ProbeWrong)}}
}

// TestApacheDigest: a healthy Apache with mod_auth_digest (MD5, qop auth)
// passes every probe, with C25 judged on each refusal and C25.nonce from
// the second challenge on; nothing recorded holds the password.
func TestApacheDigest(t *testing.T) {
	a := apachetest.Start(t, apachetest.Protected)
	res := runCheck(t, digestCheck(a.URL, apachetest.Password))
	if !res.Passed() {
		t.Fatalf("healthy Apache: %s\n%v", res.Summary(), failedIDs(res))
	}
	raw, _ := json.Marshal(res)
	if strings.Contains(string(raw), apachetest.Password) {
		t.Fatalf("the password leaked into the result")
	}
	judged := map[string]bool{}
	for _, p := range res.Probes {
		if p.Kind == checks.ProbeValid {
			if p.Status != 200 {
				t.Errorf("valid: status %d, want 200", p.Status)
			}
			continue
		}
		if p.Status != 401 || !strings.HasPrefix(strings.Join(p.ChallengeRaw, ","), "Digest ") {
			t.Errorf("%s: status %d, challenges %q; want 401 with a Digest challenge", p.Kind, p.Status, p.ChallengeRaw)
		}
		for _, as := range p.Assertions {
			judged[as.ID] = true
		}
	}
	for _, id := range []string{"C25", "C25.algorithm", "C25.qop", "C25.nonce"} {
		if !judged[id] {
			t.Errorf("%s was not judged on any refusal", id)
		}
	}
}

// TestApacheDigestWrongPassword: Apache refuses a wrong configured
// password, which the valid probe reports as A2 (the service does not let
// this user in), not as a bypass.
func TestApacheDigestWrongPassword(t *testing.T) {
	a := apachetest.Start(t, apachetest.Protected)
	res := runCheck(t, digestCheck(a.URL, apachetest.Password+"-not"))
	if f := failedIDs(res); !slices.Contains(f[checks.ProbeValid], "A2") || res.Severity() != checks.SevAvail {
		t.Fatalf("wrong password: severity %s, failures %v, want A2 on valid", res.Severity(), f)
	}
}

// TestApacheDigestOpen: the protected URL configured open to strangers
// (Require all granted) is a critical auth bypass: B1 on missing, B2 on
// wrong and malformed. The valid probe, let in without a challenge to
// answer, passes: the service works, it is only open.
func TestApacheDigestOpen(t *testing.T) {
	a := apachetest.Start(t, apachetest.Open)
	res := runCheck(t, digestCheck(a.URL, apachetest.Password))
	f := failedIDs(res)
	if res.Severity() != checks.SevCritical || !slices.Contains(f[checks.ProbeMissing], "B1") ||
		!slices.Contains(f[checks.ProbeWrong], "B2") || !slices.Contains(f[checks.ProbeMalformed], "B2") ||
		len(f[checks.ProbeValid]) > 0 {
		t.Fatalf("open: severity %s, failures %v", res.Severity(), f)
	}
}
