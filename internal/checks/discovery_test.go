package checks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// idp serves a discovery document at both well-known paths and a JWKS;
// doc and jwks may rewrite what they serve.
func idp(doc func(base string, m map[string]any), jwks func(w http.ResponseWriter) bool) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := srv.URL
		switch r.URL.Path {
		case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server":
			m := map[string]any{"issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
				"jwks_uri": base + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
				"id_token_signing_alg_values_supported": []string{"RS256"}}
			if doc != nil {
				doc(base, m)
			}
			json.NewEncoder(w).Encode(m)
		case "/jwks":
			if jwks != nil && jwks(w) {
				return
			}
			w.Write([]byte(`{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	return srv
}

func discoveryCheck(t *testing.T, url string, spec *DiscoverySpec) Check {
	return Check{Name: t.Name() + "-" + randomHex(4), Kind: KindDiscovery, URL: url, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Discovery: spec, Probes: []ProbeSpec{{Kind: ProbeDiscovery}, {Kind: ProbeJWKS}}}
}

func TestDiscoveryCheck(t *testing.T) {
	body := func(s string) func(w http.ResponseWriter) bool {
		return func(w http.ResponseWriter) bool { w.Write([]byte(s)); return true }
	}
	cases := []struct {
		name   string
		path   string
		doc    func(base string, m map[string]any)
		jwks   func(w http.ResponseWriter) bool
		spec   *DiscoverySpec
		want   []string
		probes int
	}{
		{"OpenID provider", "/.well-known/openid-configuration", nil, nil, nil, nil, 2},
		{"OAuth server", "/.well-known/oauth-authorization-server", nil, nil, nil, nil, 2},
		{"issuer with a trailing slash", "/.well-known/openid-configuration",
			func(base string, m map[string]any) { m["issuer"] = base + "/" }, nil, nil, []string{"discovery/A5.issuer"}, 2},
		{"issuer over http with a query", "/.well-known/openid-configuration",
			func(base string, m map[string]any) { m["issuer"] = "http://idp.example/?tenant=1" }, nil,
			&DiscoverySpec{Issuer: "http://idp.example/?tenant=1", JWKS: true}, []string{"discovery/A5.issuer-form"}, 2},
		{"http issuer on a loopback host", "/.well-known/openid-configuration",
			func(base string, m map[string]any) { m["issuer"] = "http://127.0.0.1:8081" }, nil,
			&DiscoverySpec{Issuer: "http://127.0.0.1:8081", JWKS: true}, nil, 2},
		{"OIDC member missing", "/.well-known/openid-configuration",
			func(base string, m map[string]any) { delete(m, "subject_types_supported") }, nil, nil, []string{"discovery/A5.required"}, 2},
		{"configured member missing", "/.well-known/oauth-authorization-server", nil, nil,
			&DiscoverySpec{Required: []string{"issuer", "introspection_endpoint"}, JWKS: true}, []string{"discovery/A5.required"}, 2},
		{"no jwks_uri", "/.well-known/oauth-authorization-server",
			func(base string, m map[string]any) { delete(m, "jwks_uri") }, nil, nil, []string{"jwks/A6"}, 2},
		{"empty key set", "/.well-known/openid-configuration", nil, body(`{"keys":[]}`), nil, []string{"jwks/A6"}, 2},
		{"key set not JSON", "/.well-known/openid-configuration", nil, body(`<html>`), nil, []string{"jwks/A6"}, 2},
		{"key without kty", "/.well-known/openid-configuration", nil, body(`{"keys":[{"kid":"k1"}]}`), nil, []string{"jwks/A6.kty"}, 2},
		{"JWKS down", "/.well-known/openid-configuration", nil, func(w http.ResponseWriter) bool { w.WriteHeader(503); return true },
			nil, []string{"jwks/A6"}, 2},
		{"document missing", "/.well-known/nothing", nil, nil, nil, []string{"discovery/A5", "jwks/A6"}, 2},
		{"JWKS turned off", "/.well-known/openid-configuration", nil, body(`{"keys":[]}`), &DiscoverySpec{}, nil, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := idp(c.doc, c.jwks)
			defer srv.Close()
			res := Run(context.Background(), srv.Client(), discoveryCheck(t, srv.URL+c.path, c.spec))
			if got := kindFailures(res); !slices.Equal(got, c.want) {
				b, _ := json.MarshalIndent(res.Probes, "", " ")
				t.Fatalf("failed %v, want %v\n%s", got, c.want, b)
			}
			if len(res.Probes) != c.probes {
				t.Fatalf("%d probes, want %d", len(res.Probes), c.probes)
			}
		})
	}
}

func TestIssuerFromWellKnownURL(t *testing.T) {
	for url, want := range map[string]string{
		"https://idp.example/.well-known/openid-configuration":              "https://idp.example",
		"https://idp.example/tenant/.well-known/openid-configuration":       "https://idp.example/tenant",
		"https://idp.example/.well-known/oauth-authorization-server":        "https://idp.example",
		"https://idp.example/.well-known/oauth-authorization-server/tenant": "https://idp.example/tenant",
		"https://idp.example/metadata.json":                                 "",
	} {
		if got := issuerFromURL(url); got != want {
			t.Errorf("issuerFromURL(%q) = %q, want %q", url, got, want)
		}
	}
}
