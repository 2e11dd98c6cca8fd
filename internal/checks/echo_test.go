package checks

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// echoForms are the spellings in which a target may echo secret back:
// plain, URL-encoded (query and path forms), JSON-escaped, Base64 in both
// alphabets with and without padding, and, with user set, the Base64 of
// "user:secret" as Basic sends it and of the form-encoded pair as
// client_secret_basic does.
func echoForms(secret, user string) map[string]string {
	js, _ := json.Marshal(secret)
	out := map[string]string{"plain": secret, "query": url.QueryEscape(secret), "path": url.PathEscape(secret),
		"json": string(js[1 : len(js)-1])}
	encs := map[string]*base64.Encoding{"std": base64.StdEncoding, "raw-std": base64.RawStdEncoding,
		"url": base64.URLEncoding, "raw-url": base64.RawURLEncoding}
	for name, enc := range encs {
		out["b64-"+name] = enc.EncodeToString([]byte(secret))
		if user != "" {
			out["b64-pair-"+name] = enc.EncodeToString([]byte(user + ":" + secret))
			out["b64-form-pair-"+name] = enc.EncodeToString([]byte(url.QueryEscape(user) + ":" + url.QueryEscape(secret)))
		}
	}
	return out
}

// echoAll writes every form of every secret in the body and, one header
// per form, in the headers: a target (or a proxy in front of it) echoing
// what it was sent.
func echoAll(w http.ResponseWriter, forms map[string]string) {
	var b strings.Builder
	for name, f := range forms {
		w.Header().Add("X-Echo-"+name, f)
		fmt.Fprintf(&b, "%s=%s\n", name, f)
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, b.String())
}

// assertNoForm fails for every form of a secret found in the recorded result.
func assertNoForm(t *testing.T, res Result, forms map[string]string) {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for name, f := range forms {
		js, _ := json.Marshal(f) // the form as it appears inside the JSON
		if strings.Contains(text, f) || strings.Contains(text, string(js[1:len(js)-1])) {
			t.Errorf("the evidence holds the %s form %q", name, f)
		}
	}
}

// TestTokenEndpointEchoNotRecorded (item 13): a token endpoint echoing the
// client secret in the form client_secret_basic sends it in (form-encoded,
// then Base64 with the id), or in any other encoding, leaves none of it in
// the evidence.
func TestTokenEndpointEchoNotRecorded(t *testing.T) {
	const id, secret = "monitor client", "CANARY s3/+&=%é-13"
	forms := echoForms(secret, id)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echoAll(w, forms)
	}))
	defer srv.Close()
	ch := Check{Name: "token", Kind: KindToken, URL: srv.URL + "/token", Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Token:   &TokenSpec{ClientID: id, ClientSecret: secret},
		Secrets: []string{secret},
		Probes:  []ProbeSpec{{Kind: ProbeToken}, {Kind: ProbeTokenSecret}}}
	res := Run(t.Context(), srv.Client(), ch)
	if len(res.Probes) == 0 {
		t.Fatal("no probe ran")
	}
	assertNoForm(t, res, forms)
}

// TestEchoedCredentialNotRecorded (item 13): the Base64 (and every other
// encoding) of an echoed Bearer token or API key is not recorded.
func TestEchoedCredentialNotRecorded(t *testing.T) {
	const secret = "CANARY-tok/+en-13b"
	for _, cred := range []Credential{{Kind: AuthBearer, Token: secret}, {Kind: AuthAPIKey, Header: "X-Api-Key", Key: secret},
		{Kind: AuthAPIKey, Query: "api_key", Key: secret}} {
		t.Run(string(cred.Kind)+cred.Query, func(t *testing.T) {
			forms := echoForms(secret, "")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				echoAll(w, forms)
			}))
			defer srv.Close()
			ch := Check{Name: "api", URL: srv.URL + "/me", Timeout: 2 * time.Second, MaxBody: 1 << 20,
				Auth: cred, Secrets: []string{secret},
				Probes: []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing}, {Kind: ProbeWrong}}}
			assertNoForm(t, Run(t.Context(), srv.Client(), ch), forms)
		})
	}
}
