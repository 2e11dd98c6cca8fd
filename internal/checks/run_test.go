package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const canary = "CANARY-s3cret-9731"

// authServer is a correct Bearer-protected endpoint that can be bent by
// behave to simulate regressions.
func authServer(behave func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if behave != nil && behave(w, r) {
			return
		}
		switch h := r.Header.Get("Authorization"); {
		case h == "Bearer "+canary:
			w.Write([]byte(`{"user":"canary"}`))
		case h == "":
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			w.WriteHeader(401)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
			w.WriteHeader(401)
		}
	}))
}

func bearerCheck(url string) Check {
	return Check{Name: "api", Method: "GET", URL: url, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth:    Credential{Kind: AuthBearer, Token: canary},
		Secrets: []string{canary},
		Probes: []ProbeSpec{{Kind: ProbeValid, BodyContains: "canary"},
			{Kind: ProbeMissing, Scheme: "Bearer", Realm: "api"}, {Kind: ProbeWrong, Scheme: "Bearer"}}}
}

func failedIDs(r Result) []string {
	var ids []string
	for _, f := range r.Failures() {
		ids = append(ids, string(f.Probe)+"/"+f.Assertion.ID)
	}
	return ids
}

func TestRunJudgesTheMatrix(t *testing.T) {
	cases := []struct {
		name   string
		behave func(w http.ResponseWriter, r *http.Request) bool
		want   []string // failed probe/assertion ids
		reason string   // a substring of the summary
	}{
		{"correct server", nil, nil, "all assertions passed"},
		{"bypass without credentials", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") == "" {
				w.Write([]byte("secret data"))
				return true
			}
			return false
		}, []string{"missing/B1"}, "without credentials: expected 401 with a Bearer challenge, got 200 OK: auth bypass"},
		{"wrong credentials accepted", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") != "" {
				w.Write([]byte(`{"user":"canary"}`))
				return true
			}
			return false
		}, []string{"wrong/B2"}, "with wrong credentials: expected 401 with a Bearer challenge, got 200 OK: auth bypass"},
		{"401 without a challenge", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") != "Bearer "+canary {
				w.WriteHeader(401)
				return true
			}
			return false
		}, []string{"missing/C1.challenge", "wrong/C5.challenge"}, "got 401 without a WWW-Authenticate challenge"},
		{"wrong realm and a Basic challenge", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") != "Bearer "+canary {
				w.Header().Set("WWW-Authenticate", `Basic realm="other"`)
				w.WriteHeader(401)
				return true
			}
			return false
		}, []string{"missing/C1.scheme", "wrong/C5.scheme"}, "expected a Bearer challenge"},
		{"valid credentials refused", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
			w.WriteHeader(401)
			return true
		}, []string{"valid/A2", "valid/A2.body", "missing/C6"}, "with valid credentials: expected 2xx, got 401 Unauthorized"},
		{"bearer error missing on a wrong token", func(w http.ResponseWriter, r *http.Request) bool {
			if h := r.Header.Get("Authorization"); h != "" && h != "Bearer "+canary {
				w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
				w.WriteHeader(401)
				return true
			}
			return false
		}, []string{"wrong/C7"}, `expected error="invalid_token", got no error parameter`},
		{"forbidden instead of 401", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") == "" {
				w.WriteHeader(403)
				return true
			}
			return false
		}, []string{"missing/C1"}, "without credentials: expected 401, got 403 Forbidden"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := authServer(c.behave)
			defer srv.Close()
			res := Run(context.Background(), srv.Client(), bearerCheck(srv.URL))
			if got := strings.Join(failedIDs(res), ","); got != strings.Join(c.want, ",") {
				t.Fatalf("failed = %q, want %q\n%s", got, strings.Join(c.want, ","), res.Summary())
			}
			if !strings.Contains(res.Summary(), c.reason) {
				t.Fatalf("summary %q lacks %q", res.Summary(), c.reason)
			}
		})
	}
}

func TestBypassIsCritical(t *testing.T) {
	srv := authServer(func(w http.ResponseWriter, r *http.Request) bool { return true }) // 200 to all
	defer srv.Close()
	res := Run(context.Background(), srv.Client(), bearerCheck(srv.URL))
	if res.Severity() != SevCritical {
		t.Fatalf("severity = %s, want critical-security", res.Severity())
	}
}
