package demo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// tokenRequest posts a form to /oauth/token; basic, when set, is the
// client id and secret sent with client_secret_basic.
func tokenRequest(t *testing.T, mode string, form url.Values, basic ...string) *httptest.ResponseRecorder {
	t.Helper()
	return serve(t, mode, "POST", "/oauth/token", form.Encode(), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if len(basic) == 2 {
			r.SetBasicAuth(basic[0], basic[1])
		}
	})
}

func TestTokenEndpoint(t *testing.T) {
	cc := url.Values{"grant_type": {"client_credentials"}}
	post := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
	wrongPost := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {"nope"}}
	pw := func(p string) url.Values {
		return url.Values{"grant_type": {"password"}, "username": {"canary"}, "password": {p}}
	}
	good := []string{DefaultClientID, DefaultClientSecret}
	wrong := []string{DefaultClientID, "nope"}
	cases := []struct {
		name, mode string
		form       url.Values
		basic      []string
		status     int
		error      string // "": a token response
		challenge  bool
	}{
		{"client_secret_basic", ModeOK, cc, good, 200, "", false},
		{"client_secret_post", ModeOK, post, nil, 200, "", false},
		{"wrong secret, Basic", ModeOK, cc, wrong, 401, "invalid_client", true},
		{"wrong secret, post", ModeOK, wrongPost, nil, 401, "invalid_client", true},
		{"no client", ModeOK, cc, nil, 401, "invalid_client", true},
		{"two methods", ModeOK, post, good, 400, "invalid_request", false},
		{"password grant", ModeOK, pw("pw"), good, 200, "", false},
		{"password grant, wrong password", ModeOK, pw("nope"), good, 400, "invalid_grant", false},
		{"no grant_type", ModeOK, url.Values{}, good, 400, "invalid_request", false},
		{"unsupported grant", ModeOK, url.Values{"grant_type": {"implicit"}}, good, 400, "unsupported_grant_type", false},
		{"unknown scope", ModeOK, url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, good, 400, "invalid_scope", false},
		{"bypass: no client", ModeBypass, cc, nil, 200, "", false},
		{"wrong-accepted: wrong secret", ModeWrongAccepted, cc, wrong, 200, "", false},
		{"wrong-accepted: wrong password", ModeWrongAccepted, pw("nope"), good, 200, "", false},
		{"no-challenge: wrong secret", ModeNoChallenge, cc, wrong, 401, "invalid_client", false},
		{"down", ModeDown, cc, good, 503, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := tokenRequest(t, c.mode, c.form, c.basic...)
			var body map[string]any
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			ch := w.Header().Get("WWW-Authenticate")
			if w.Code != c.status || (ch == `Basic realm="demo"`) != c.challenge || w.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%d %s, challenge %q, headers %v", w.Code, w.Body, ch, w.Header())
			}
			if c.status == 200 && (body["token_type"] != "Bearer" || body["expires_in"] != 300.0 || body["access_token"] == nil || w.Header().Get("Pragma") != "no-cache") {
				t.Fatalf("token response %s, headers %v", w.Body, w.Header())
			}
			if c.error != "" && body["error"] != c.error {
				t.Fatalf("error %v, want %s", body["error"], c.error)
			}
		})
	}
}

// TestDiscoveryAndJWKS fetches the discovery document from a real server,
// follows jwks_uri, and verifies a token from the token endpoint with the
// published key, as a relying party would.
func TestDiscoveryAndJWKS(t *testing.T) {
	api, _ := New(creds, "")
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	var doc map[string]any
	getJSON(t, srv.URL+"/.well-known/openid-configuration", &doc)
	for _, k := range []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
		"subject_types_supported", "id_token_signing_alg_values_supported"} {
		if doc[k] == nil {
			t.Errorf("discovery document lacks %s", k)
		}
	}
	if doc["issuer"] != srv.URL || doc["token_endpoint"] != srv.URL+"/oauth/token" {
		t.Fatalf("issuer %v, token_endpoint %v; want %s", doc["issuer"], doc["token_endpoint"], srv.URL)
	}
	var set struct{ Keys []map[string]string }
	getJSON(t, doc["jwks_uri"].(string), &set)
	if len(set.Keys) != 1 || set.Keys[0]["kty"] != "EC" || set.Keys[0]["alg"] != "ES256" {
		t.Fatalf("JWKS: %+v", set)
	}

	resp, err := http.PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	verifyWithJWK(t, tr.AccessToken, set.Keys[0])

	var static StaticTokens
	getJSON(t, srv.URL+"/demo/tokens", &static)
	if static != api.StaticTokens(srv.URL) {
		t.Fatal("/demo/tokens differs from StaticTokens for the server's issuer")
	}
	verifyWithJWK(t, static.Scope, set.Keys[0])
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
}

// verifyWithJWK checks a token's ES256 signature and kid against a JWK,
// independently of the signer's own code.
func verifyWithJWK(t *testing.T, tok string, jwk map[string]string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	dec := base64.RawURLEncoding.DecodeString
	x, _ := dec(jwk["x"])
	y, _ := dec(jwk["y"])
	sig, _ := dec(parts[2])
	hdr, _ := dec(parts[0])
	var h struct{ Alg, Kid string }
	_ = json.Unmarshal(hdr, &h)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		t.Fatalf("JWK is not a P-256 point: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatal("the token does not verify with the published key")
	}
	if h.Alg != "ES256" || h.Kid != jwk["kid"] {
		t.Fatalf("header %+v, JWK kid %q", h, jwk["kid"])
	}
}
