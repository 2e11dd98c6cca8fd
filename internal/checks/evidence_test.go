package checks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestEvidenceOfAFreshConnection: every probe records status, headers, a
// body excerpt and timings; the first one, on a new connection, has every
// phase.
func TestEvidenceOfAFreshConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond) // a measurable time to first byte
		okHandler(w, r)
	}))
	defer srv.Close()
	// "localhost" makes the client resolve a name, so DNS is timed too.
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	res := Run(context.Background(), NewClient(2), basicCheck(url))
	for i, p := range res.Probes {
		if p.Status == 0 || len(p.Headers) == 0 || len(p.RequestHeaders) == 0 || p.Timing.Total <= 0 || p.Timing.FirstByte <= 0 {
			t.Fatalf("%s: incomplete evidence %+v", p.Kind, p)
		}
		if i == 0 && (p.Timing.DNS <= 0 || p.Timing.Connect <= 0 || p.Timing.Reused) {
			t.Fatalf("fresh connection timing %+v", p.Timing)
		}
	}
	if res.Probes[0].Body != "ok" || !res.Probes[1].Timing.Reused {
		t.Fatalf("body %q, second probe reused %v", res.Probes[0].Body, res.Probes[1].Timing.Reused)
	}
}

// TestTLSTimings: a TLS handshake is timed.
func TestTLSTimings(t *testing.T) {
	now := time.Now()
	srv := tlsServer(t, testCert(t, "api.test", now.Add(-time.Hour), now.Add(90*24*time.Hour), 1), http.HandlerFunc(okHandler), nil)
	res := Run(context.Background(), srv.Client(), basicCheck(srv.URL))
	if p := res.Probes[0]; p.Timing.TLS <= 0 || p.TLS == nil || p.TLS.Version == "" {
		t.Fatalf("TLS evidence %+v %+v", p.Timing, p.TLS)
	}
}

// TestCanaryNeverRecorded: a target that echoes every credential it gets
// in a response header, in its body (also where the excerpt is cut) and in
// a challenge parameter; nothing of it reaches the recorded result, for
// static and dynamic credentials alike.
func TestCanaryNeverRecorded(t *testing.T) {
	dynamic := "DYN-" + canary + "-issued"
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization") + " " + r.Header.Get("X-Api-Key") + " " + r.URL.RawQuery + " " + r.Header.Get("Cookie")
		w.Header().Set("X-Echo", got)
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token", error_description="`+strings.ReplaceAll(got, `"`, "")+`"`)
		w.WriteHeader(401)
		// the excerpt keeps 4096 bytes: the last echo straddles the cut
		w.Write([]byte(`{"seen":"` + got + `","pad":"` + strings.Repeat("x", BodyExcerpt-len(`{"seen":"`+got+`","pad":"`)-6) + got))
	})
	srv := httptest.NewServer(echo)
	defer srv.Close()
	jwt := makeJWT(t, map[string]any{"alg": "HS256"}, map[string]any{"sub": canary})
	creds := map[string]Credential{
		"bearer":    {Kind: AuthBearer, Token: canary},
		"jwt":       {Kind: AuthBearer, Token: jwt},
		"basic":     {Kind: AuthBasic, Username: "canary", Password: canary},
		"key query": {Kind: AuthAPIKey, Query: "key", Key: canary + "/+&"},
		"key":       {Kind: AuthAPIKey, Header: "X-Api-Key", Key: canary},
		"cookie":    {Kind: AuthCookie, Cookie: "sid", Value: canary},
		"dynamic":   {Kind: AuthLogin, Source: &fakeSource{creds: []Credential{{Kind: AuthBearer, Token: dynamic}}}},
	}
	for name, cred := range creds {
		t.Run(name, func(t *testing.T) {
			ch := matrixCheck(srv.URL, "")
			ch.Auth, ch.Secrets = cred, []string{canary, jwt, expiredToken, scopeToken, canary + "/+&"}
			res := Run(context.Background(), srv.Client(), ch)
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{canary[:6], "Y2FuYXJ5OkNBTkFSWS1zM2NyZXQtOTczMQ", jwt[len(jwt)-12:], "DYN-"} {
				if strings.Contains(string(b), leak) {
					t.Fatalf("%q recorded: %s", leak, b)
				}
			}
			if !strings.Contains(string(b), redacted) {
				t.Fatal("no redaction mark")
			}
		})
	}
}
