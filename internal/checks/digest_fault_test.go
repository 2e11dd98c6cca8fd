package checks_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

const faultyPassword = "CANARY-faulty-digest-4410"

// faultyDigest is a Digest server with the faults Apache 2.4 cannot be
// configured into (TestApacheDigest covers the healthy server, and
// `AuthDigestQop none` is refused by 2.4: "only 'auth' is supported"): one
// nonce for every challenge, no qop (the RFC 2069 form), and stale=true on
// every refusal. It does check the RFC 2069 answer, computed here on its
// own, so that the valid probe really authenticates.
func faultyDigest(t *testing.T) *httptest.Server {
	const realm, nonce = "faulty", "same-nonce-every-time"
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs, _ := checks.ParseChallenges([]string{r.Header.Get("Authorization")}) // same grammar as a challenge
		if len(cs) == 1 && strings.EqualFold(cs[0].Scheme, "Digest") {
			c := cs[0]
			user, _ := c.Param("username")
			uri, _ := c.Param("uri")
			got, _ := c.Param("response")
			want := h(h(user+":"+realm+":"+faultyPassword) + ":" + nonce + ":" + h(r.Method+":"+uri))
			if user == "canary" && uri == r.URL.RequestURI() && got == want {
				_, _ = w.Write([]byte("faulty but in"))
				return
			}
		}
		w.Header().Set("WWW-Authenticate", `Digest realm="`+realm+`", nonce="`+nonce+`", algorithm=MD5, stale=true`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestDigestFaultyServer: authmon gets in with the RFC 2069 form, and the
// refusals fail C25.qop, C25.stale and (from the second challenge on)
// C25.nonce: conformance, not a bypass. The password appears nowhere in
// the result.
func TestDigestFaultyServer(t *testing.T) {
	srv := faultyDigest(t)
	denied := func(k checks.ProbeKind) checks.ProbeSpec { return checks.ProbeSpec{Kind: k, Scheme: "Digest"} }
	ch := checks.Check{Name: "faulty", URL: srv.URL + "/p?x=1", Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:    checks.Credential{Kind: checks.AuthDigest, Username: "canary", Password: faultyPassword},
		Secrets: []string{faultyPassword},
		Probes:  []checks.ProbeSpec{{Kind: checks.ProbeValid}, denied(checks.ProbeMissing), denied(checks.ProbeMalformed), denied(checks.ProbeWrong)}}
	res := checks.Run(t.Context(), checks.NewClient(1), ch)
	if raw, _ := json.Marshal(res); strings.Contains(string(raw), faultyPassword) {
		t.Fatal("the password leaked into the result")
	}
	f := failedIDs(res)
	if len(f[checks.ProbeValid]) > 0 || res.Severity() != checks.SevConf {
		t.Fatalf("faulty: severity %s, failures %v", res.Severity(), f)
	}
	for _, k := range []checks.ProbeKind{checks.ProbeMissing, checks.ProbeMalformed, checks.ProbeWrong} {
		for _, id := range []string{"C25.qop", "C25.stale", "C25.nonce"} {
			if !slices.Contains(f[k], id) {
				t.Errorf("%s: failures %v, want %s", k, f[k], id)
			}
		}
	}
}

// failedIDs lists the ids of the failed assertions, by probe.
func failedIDs(res checks.Result) map[checks.ProbeKind][]string {
	out := map[checks.ProbeKind][]string{}
	for _, f := range res.Failures() {
		out[f.Probe] = append(out[f.Probe], f.Assertion.ID)
	}
	return out
}

// TestDigestUnknownAlgorithm: a target offering only an algorithm authmon
// does not compute fails A2 on the valid probe (availability: no Digest
// client with these credentials gets in), saying what was offered, and
// C25.algorithm on the refusals; nothing is a transport failure (A0).
func TestDigestUnknownAlgorithm(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Digest realm="x", nonce="`+time.Now().Format(time.RFC3339Nano)+`", algorithm=SHA-1, qop="auth"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	ch := checks.Check{Name: "sha1", URL: srv.URL, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:   checks.Credential{Kind: checks.AuthDigest, Username: "u", Password: faultyPassword},
		Probes: []checks.ProbeSpec{{Kind: checks.ProbeValid}, {Kind: checks.ProbeMissing, Scheme: "Digest"}}}
	res := checks.Run(t.Context(), checks.NewClient(1), ch)
	f := failedIDs(res)
	if !slices.Equal(f[checks.ProbeValid], []string{"A2"}) || !slices.Contains(f[checks.ProbeMissing], "C25.algorithm") {
		t.Fatalf("failures %v", f)
	}
	if e := res.Probes[0].Error; !strings.Contains(e, "offered: SHA-1") {
		t.Errorf("valid probe error %q does not say what was offered", e)
	}
}
