package checks

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCanaryDigestNeverRecorded: a Digest target that echoes, on every
// answer to an Authorization header, the header itself, HA1 and
// user:realm:password, plain, URL-encoded and in Base64, in a header, its
// challenge and the body. None of them, nor the password, reaches the
// recorded result. It fails with digestAuthorize not teaching the redactor.
func TestCanaryDigestNeverRecorded(t *testing.T) {
	const user, realm, password = "canary", "echo-realm", "CANARY-digest-pw-3391"
	a1 := user + ":" + realm + ":" + password
	sum := md5.Sum([]byte(a1))
	ha1 := hex.EncodeToString(sum[:])
	var mu sync.Mutex
	var headers []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		echo := ""
		if strings.HasPrefix(auth, "Digest username=") {
			mu.Lock()
			headers = append(headers, auth)
			mu.Unlock()
			for _, s := range []string{auth, ha1, a1, password} {
				echo += " " + s + " " + url.QueryEscape(s) + " " + base64.StdEncoding.EncodeToString([]byte(s))
			}
		}
		w.Header().Set("X-Echo", echo)
		w.Header().Set("WWW-Authenticate", `Digest realm="`+realm+`", nonce="`+randomHex(8)+`", qop="auth", opaque="`+
			strings.ReplaceAll(echo, `"`, "")+`"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("refused:" + echo))
	}))
	defer srv.Close()
	ch := Check{Name: "digest echo", URL: srv.URL + "/p", Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth: Credential{Kind: AuthDigest, Username: user, Password: password},
		Probes: []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing, Scheme: "Digest"}, {Kind: ProbeMalformed, Scheme: "Digest"},
			{Kind: ProbeWrong, Scheme: "Digest"}}}
	res := Run(context.Background(), NewClient(1), ch)
	blob, _ := json.Marshal(res)
	if len(headers) < 2 {
		t.Fatalf("only %d Digest answers sent: the probes did not run", len(headers))
	}
	secrets := append([]string{password, ha1, a1}, headers...)
	for _, sec := range secrets {
		for _, form := range []string{sec, url.QueryEscape(sec), base64.StdEncoding.EncodeToString([]byte(sec)), jsonEscaped(sec)} {
			if strings.Contains(string(blob), form) {
				t.Errorf("the result holds %q (a form of %.40q)", form, sec)
			}
		}
	}
	if !strings.Contains(string(blob), redacted) {
		t.Errorf("no echo was recorded redacted: %.2000s", blob)
	}
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
