package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A refused probe keeps only the excerpt of a large body, and records what
// reading all of it recorded: the same excerpt, truncated, and over the
// check's max_body the same error.
func TestRefusalBodyKeepsTheExcerpt(t *testing.T) {
	big := strings.Repeat("<p>Please log in to continue.</p>\n", 3000) // ~100 KB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good-token-123" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			w.WriteHeader(401)
		}
		w.Write([]byte(big))
	}))
	defer srv.Close()
	wantBody, wantTrunc := bodyExcerpt([]byte(big))
	for _, tc := range []struct {
		name    string
		maxBody int64
		wantErr string
	}{
		{"under max_body", 1 << 20, ""},
		{"over max_body", 50 << 10, describeError(errBodyTooLarge, time.Second, 50<<10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := Check{Name: "big", Method: "GET", URL: srv.URL, Timeout: time.Second, MaxBody: tc.maxBody,
				Auth:   Credential{Kind: AuthBearer, Token: "good-token-123"},
				Probes: []ProbeSpec{{Kind: ProbeValid, BodyContains: "log in"}, {Kind: ProbeMissing, Scheme: "Bearer"}}}
			res := Run(context.Background(), http.DefaultClient, ch)
			for _, p := range res.Probes {
				if p.Error != tc.wantErr {
					t.Errorf("%s: error %q, want %q", p.Kind, p.Error, tc.wantErr)
				}
				if tc.wantErr == "" && (p.Body != wantBody || p.BodyTruncated != wantTrunc) {
					t.Errorf("%s: body of %d bytes (truncated %v), want %d (%v)", p.Kind, len(p.Body), p.BodyTruncated,
						len(wantBody), wantTrunc)
				}
			}
			if tc.wantErr == "" && !res.Passed() {
				t.Error(res.Summary())
			}
		})
	}
}
