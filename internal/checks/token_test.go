package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// tokenRequestOf is what a token endpoint was asked.
type tokenRequestOf struct {
	grant, id, secret, user string
	basic                   bool
}

type tokenBehaviour func(w http.ResponseWriter, q tokenRequestOf) bool

// tokenEndpoint is a correct RFC 6749 token endpoint for client "monitor"
// (and user "canary" on the password grant), bent by behave.
func tokenEndpoint(behave tokenBehaviour) *httptest.Server {
	return httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		q := tokenRequestOf{grant: r.PostForm.Get("grant_type"), user: r.PostForm.Get("username")}
		q.id, q.secret, q.basic = r.BasicAuth()
		if !q.basic {
			q.id, q.secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if behave != nil && behave(w, q) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case q.id != "monitor" || q.secret != clientSecretCanary:
			if q.basic {
				w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
			}
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"invalid_client","error_description":"Client authentication failed"}`))
		case q.grant == "password":
			w.WriteHeader(400)
			w.Write([]byte(`{"error":"invalid_grant","error_description":"Invalid resource owner credentials"}`))
		default:
			now := time.Now()
			tok := kindJWT("RS256", map[string]any{"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tok)
		}
	}))
}

func tokenCheck(t *testing.T, srv *httptest.Server, spec TokenSpec) Check {
	spec.ClientID, spec.ClientSecret = "monitor", clientSecretCanary
	return Check{Name: t.Name() + "-" + randomHex(4), Kind: KindToken, URL: srv.URL + "/token", Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Token:  &spec,
		Probes: []ProbeSpec{{Kind: ProbeToken}, {Kind: ProbeTokenSecret}, {Kind: ProbeTokenPassword}}}
}

func TestTokenCheckJudgesTheEndpoint(t *testing.T) {
	wrongSecret := func(status int, challenge, body string) tokenBehaviour {
		return func(w http.ResponseWriter, q tokenRequestOf) bool {
			if q.secret == clientSecretCanary {
				return false
			}
			if challenge != "" {
				w.Header().Set("WWW-Authenticate", challenge)
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
			return true
		}
	}
	issue := func(header map[string]string, body string) tokenBehaviour {
		return func(w http.ResponseWriter, q tokenRequestOf) bool {
			if q.secret != clientSecretCanary || q.grant != "client_credentials" {
				return false
			}
			for k, v := range header {
				w.Header().Set(k, v)
			}
			w.Write([]byte(body))
			return true
		}
	}
	wrongPassword := func(status int, body string) tokenBehaviour {
		return func(w http.ResponseWriter, q tokenRequestOf) bool {
			if q.grant != "password" || q.secret != clientSecretCanary {
				return false
			}
			w.WriteHeader(status)
			w.Write([]byte(body))
			return true
		}
	}
	noStore := map[string]string{"Cache-Control": "no-store"}
	basic := TokenSpec{Username: "canary"}
	post := TokenSpec{Username: "canary", AuthStyle: "post"}
	now := time.Now()
	cases := []struct {
		name   string
		behave tokenBehaviour
		spec   TokenSpec
		want   []string
	}{
		{"correct, client_secret_basic", nil, basic, nil},
		{"correct, client_secret_post", nil, post, nil},
		{"no password grant probe without a user", nil, TokenSpec{}, nil},
		{"wrong secret accepted", func(w http.ResponseWriter, q tokenRequestOf) bool {
			if q.grant != "client_credentials" {
				return false
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Write([]byte(`{"access_token":"abcdef123456","token_type":"Bearer","expires_in":60}`))
			return true
		}, basic, []string{"token_secret/B2"}},
		{"Basic refused without a challenge", wrongSecret(401, "", `{"error":"invalid_client"}`), basic, []string{"token_secret/C12.challenge"}},
		{"Basic refused with 400", wrongSecret(400, "", `{"error":"invalid_client"}`), basic, []string{"token_secret/C12"}},
		{"Basic refused with 400, allowed", wrongSecret(400, "", `{"error":"invalid_client"}`), TokenSpec{WrongSecretStatus: []int{400}}, nil},
		{"post refused with 400", wrongSecret(400, "", `{"error":"invalid_client"}`), post, nil},
		{"post refused with 403", wrongSecret(403, "", `{"error":"invalid_client"}`), post, []string{"token_secret/C13"}},
		{"wrong error code", wrongSecret(401, `Basic realm="t"`, `{"error":"invalid_request"}`), basic, []string{"token_secret/C12.error"}},
		{"unregistered error code", wrongSecret(401, `Basic realm="t"`, `{"error":"bad_secret"}`), basic,
			[]string{"token_secret/C12.error", "token_secret/C14"}},
		{"illegal error_description", wrongSecret(401, `Basic realm="t"`, `{"error":"invalid_client","error_description":"say \"no\""}`), basic,
			[]string{"token_secret/C14"}},
		{"error body not JSON", wrongSecret(401, `Basic realm="t"`, `Unauthorized`), basic,
			[]string{"token_secret/C12.error", "token_secret/C14"}},
		{"stack trace in the error", wrongSecret(401, `Basic realm="t"`, `{"error":"invalid_client","error_description":"java.lang.IllegalStateException: no client"}`), basic,
			[]string{"token_secret/B14"}},
		{"token answer cacheable", issue(nil, `{"access_token":"abcdef123456","token_type":"Bearer","expires_in":60}`), basic, []string{"token/B5"}},
		{"odd token_type", issue(noStore, `{"access_token":"abcdef123456","token_type":"mac","expires_in":60}`), basic, []string{"token/C15"}},
		{"no expires_in", issue(noStore, `{"access_token":"abcdef123456","token_type":"bearer"}`), basic, []string{"token/C15.expires_in"}},
		{"no access_token", issue(noStore, `{"token_type":"Bearer","expires_in":60}`), basic, []string{"token/A1"}},
		{"unsigned JWT", issue(noStore, fmt.Sprintf(`{"access_token":%q,"token_type":"DPoP","expires_in":60}`,
			kindJWT("none", map[string]any{"exp": now.Add(time.Minute).Unix()}))), basic, []string{"token/B9.alg"}},
		{"expires_in disagrees with the JWT", issue(noStore, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":86400}`,
			kindJWT("RS256", map[string]any{"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}))), basic, []string{"token/B10"}},
		{"wrong user password accepted", wrongPassword(200, `{"access_token":"abcdef123456","token_type":"Bearer"}`), basic,
			[]string{"token_password/B2"}},
		{"wrong user password: 401", wrongPassword(401, `{"error":"invalid_grant"}`), basic, []string{"token_password/C11"}},
		{"wrong user password: 401, allowed", wrongPassword(401, `{"error":"invalid_grant"}`), TokenSpec{Username: "canary", WrongPasswordStatus: []int{401}}, nil},
		{"wrong user password: invalid_client", wrongPassword(400, `{"error":"invalid_client"}`), basic, []string{"token_password/C11.error"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := tokenEndpoint(c.behave)
			defer srv.Close()
			res := Run(context.Background(), srv.Client(), tokenCheck(t, srv, c.spec))
			if got := kindFailures(res); !slices.Equal(got, c.want) {
				b, _ := json.MarshalIndent(res.Probes, "", " ")
				t.Fatalf("failed %v, want %v\n%s", got, c.want, b)
			}
			if want := 2 + len(c.spec.Username)/len("canary"); len(res.Probes) != want {
				t.Fatalf("%d probes, want %d", len(res.Probes), want)
			}
		})
	}
}

func TestTokenCheckSeveritiesAndDeviations(t *testing.T) {
	srv := tokenEndpoint(func(w http.ResponseWriter, q tokenRequestOf) bool {
		switch {
		case q.secret != clientSecretCanary:
			w.Write([]byte(`{"access_token":"abcdef123456"}`))
		case q.grant == "password":
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"invalid_grant"}`))
		default:
			return false
		}
		return true
	})
	defer srv.Close()
	res := Run(context.Background(), srv.Client(), tokenCheck(t, srv, TokenSpec{Username: "canary", WrongPasswordStatus: []int{401}}))
	if a := kindAssertion(t, res, ProbeTokenSecret, "B2"); a.Pass || a.Severity != SevCritical || !strings.Contains(a.Reason, "wrong client secret accepted") {
		t.Errorf("B2 = %+v", a)
	}
	a := kindAssertion(t, res, ProbeTokenPassword, "C11")
	if !a.Pass || !strings.Contains(a.Deviation, "RFC 6749 §5.2 expects 400 invalid_grant") || !strings.Contains(a.Deviation, "RFC 9700 §2.4") ||
		!strings.Contains(a.Ref, "RFC 9700 §2.4") {
		t.Errorf("C11 = %+v, want a pass with a deviation naming RFC 6749 §5.2 and RFC 9700 §2.4", a)
	}
}

func TestTokenRequestsAuthenticateTheClient(t *testing.T) {
	var seen []tokenRequestOf
	srv := tokenEndpoint(func(w http.ResponseWriter, q tokenRequestOf) bool {
		seen = append(seen, q)
		return false
	})
	defer srv.Close()
	Run(context.Background(), srv.Client(), tokenCheck(t, srv, TokenSpec{Username: "canary", Scopes: []string{"a", "b"}}))
	if len(seen) != 3 {
		t.Fatalf("%d requests, want 3", len(seen))
	}
	for i, want := range []tokenRequestOf{
		{grant: "client_credentials", id: "monitor", secret: clientSecretCanary, basic: true},
		{grant: "client_credentials", id: "monitor", basic: true},
		{grant: "password", id: "monitor", secret: clientSecretCanary, user: "canary", basic: true},
	} {
		got := seen[i]
		if i == 1 {
			if got.secret == clientSecretCanary || !strings.HasPrefix(got.secret, "authmon-wrong-") {
				t.Errorf("token_secret sent secret %q, want a random wrong one", got.secret)
			}
			got.secret = ""
		}
		if got != want {
			t.Errorf("request %d = %+v, want %+v", i, got, want)
		}
	}
}

func TestTokenCheckNeverRecordsSecrets(t *testing.T) {
	srv := tokenEndpoint(func(w http.ResponseWriter, q tokenRequestOf) bool {
		w.Header().Set("Cache-Control", "no-store")
		if q.secret == clientSecretCanary && q.grant == "client_credentials" {
			w.Header().Set("X-Issued", issuedTokenCanary)
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":60,"note":"for %s"}`, issuedTokenCanary, q.secret)
			return true
		}
		w.WriteHeader(401)
		// Echoes of the request: the configured secrets must not survive.
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"expected %s, user password %s"}`, clientSecretCanary, passwordCanary)
		return true
	})
	defer srv.Close()
	ch := tokenCheck(t, srv, TokenSpec{Username: "canary", Password: passwordCanary})
	res := Run(context.Background(), srv.Client(), ch)
	b, _ := json.Marshal(res)
	for _, secret := range []string{clientSecretCanary, issuedTokenCanary, passwordCanary} {
		if strings.Contains(string(b), secret) {
			t.Fatalf("the result records %q:\n%s", secret, b)
		}
	}
}
