package fositetest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func post(t *testing.T, u string, form url.Values, auth bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth {
		req.SetBasicAuth(ClientID, ClientSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestServerFlows: the test server itself issues, refreshes, introspects
// and revokes as fosite does, so the checks' tests judge a real server.
func TestServerFlows(t *testing.T) {
	s := New(t)
	st, m := post(t, s.TokenURL(), url.Values{"grant_type": {"password"}, "username": {User}, "password": {Password},
		"scope": {"api offline openid"}, "audience": {Audience}}, true)
	if st != 200 || m["refresh_token"] == nil {
		t.Fatalf("password grant: %d %v", st, m)
	}
	at, rt := m["access_token"].(string), m["refresh_token"].(string)
	st, m = post(t, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, true)
	if st != 200 || m["id_token"] == nil || m["refresh_token"] == rt {
		t.Fatalf("refresh: %d %v", st, m)
	}
	st, m = post(t, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, true)
	if st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("replay: %d %v", st, m)
	}
	st, m = post(t, s.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "scope": {"api"}, "audience": {Audience}}, true)
	if st != 200 {
		t.Fatalf("client credentials: %d %v", st, m)
	}
	at = m["access_token"].(string)
	req, _ := http.NewRequest(http.MethodGet, s.ResourceURL(), nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("resource: %v %v", err, resp)
	}
	resp.Body.Close()
	if st, m = post(t, s.IntrospectionURL(), url.Values{"token": {at}}, true); st != 200 || m["active"] != true {
		t.Fatalf("introspect: %d %v", st, m)
	}
	if st, _ = post(t, s.RevocationURL(), url.Values{"token": {at}}, true); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	if st, m = post(t, s.IntrospectionURL(), url.Values{"token": {at}}, true); st != 200 || m["active"] != false {
		t.Fatalf("introspect after revoke: %d %v", st, m)
	}
	if st, _ = post(t, s.IntrospectionURL(), url.Values{"token": {at}}, false); st != 401 {
		t.Fatalf("introspect without auth: %d", st)
	}
}
