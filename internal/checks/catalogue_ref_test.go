package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// An assertion cites the part of its catalogue reference that applies
// where it was judged: a Basic check's B2 names RFC 9110, not the Bearer,
// token endpoint and JWT RFCs B2 has elsewhere. These tests run every kind
// of check against loopback servers and read the references the judges
// emitted.

// basicAPI answers like a correct RFC 7617 server for canary:right, or,
// acceptsAny, like one that lets any password in.
func basicAPI(acceptsAny bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if ok && user != "" && (acceptsAny || pass == "right-"+canary) {
			w.Write([]byte(`{"user":"canary"}`))
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="api", charset="UTF-8"`)
		w.WriteHeader(401)
	}))
}

// apiKeyAPI wants the key in X-API-Key and refuses anything else with 401.
func apiKeyAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != "key-"+canary {
			w.Header().Set("WWW-Authenticate", `ApiKey realm="api"`)
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{}`))
	}))
}

func protectedCheck(url string, cred Credential, kinds ...ProbeKind) Check {
	ch := Check{Name: "refs-" + randomHex(4), Method: "GET", URL: url, Timeout: 2 * time.Second, MaxBody: 1 << 20,
		Auth: cred, Secrets: []string{"right-" + canary, "key-" + canary}}
	for _, k := range kinds {
		ch.Probes = append(ch.Probes, ProbeSpec{Kind: k})
	}
	return ch
}

// contextRuns runs one check of every kind and credential, named by what
// it is; every run is judged, none is inspected for pass or fail here.
func contextRuns(t *testing.T) map[string]Result {
	t.Helper()
	ctx := context.Background()
	runs := map[string]Result{}
	basic := Credential{Kind: AuthBasic, Username: "canary", Password: "right-" + canary}
	for name, acceptsAny := range map[string]bool{"basic": false, "basic accepting any password": true} {
		srv := basicAPI(acceptsAny)
		t.Cleanup(srv.Close)
		runs[name] = Run(ctx, srv.Client(), protectedCheck(srv.URL, basic, ProbeValid, ProbeMissing, ProbeMalformed, ProbeWrong))
	}
	key := apiKeyAPI()
	t.Cleanup(key.Close)
	runs["api key"] = Run(ctx, key.Client(), protectedCheck(key.URL,
		Credential{Kind: AuthAPIKey, Header: "X-API-Key", Key: "key-" + canary}, ProbeValid, ProbeMissing, ProbeWrong))
	tok := validJWT(t)
	bearer := httptest.NewServer(rfcBearer(tok))
	t.Cleanup(bearer.Close)
	runs["bearer"] = Run(ctx, bearer.Client(), matrixCheck(bearer.URL, tok))
	open := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(open.Close)
	runs["bearer accepting anything"] = Run(ctx, open.Client(), matrixCheck(open.URL, tok))
	token := tokenEndpoint(nil)
	t.Cleanup(token.Close)
	runs["token"] = Run(ctx, token.Client(), tokenCheck(t, token, TokenSpec{Username: "canary"}))
	login := loginAPI(true, nil)
	t.Cleanup(login.Close)
	runs["login"] = Run(ctx, login.Client(), loginCheck(t, login, LoginSpec{TokenJSON: "access_token"}))
	idps := idp(nil, nil)
	t.Cleanup(idps.Close)
	runs["openid discovery"] = Run(ctx, idps.Client(), discoveryCheck(t, idps.URL+"/.well-known/openid-configuration", nil))
	runs["oauth discovery"] = Run(ctx, idps.Client(), discoveryCheck(t, idps.URL+"/.well-known/oauth-authorization-server", nil))
	return runs
}

// refPartsOf is the test's own reading of a reference's parts, so that it
// does not trust the code under test to split them.
func refPartsOf(ref string) []string { return strings.Split(ref, "; ") }

// TestAssertionsCiteTheirContext runs every kind of check against loopback
// servers: each assertion cites parts of its catalogue entry's reference
// and nothing else, and the ids whose entry has several parts cite the
// one(s) that apply to the check and probe.
func TestAssertionsCiteTheirContext(t *testing.T) {
	runs := contextRuns(t)
	t.Run("catalogue parts", func(t *testing.T) { citesCatalogueParts(t, runs) })
	t.Run("context", func(t *testing.T) { citesContext(t, runs) })
}

// citesCatalogueParts: every assertion cites a non-empty subset of the
// parts of its catalogue entry's reference.
func citesCatalogueParts(t *testing.T, runs map[string]Result) {
	seen := map[string]bool{}
	for name, res := range runs {
		for _, p := range res.Probes {
			for _, a := range p.Assertions {
				seen[a.ID] = true
				e, ok := Lookup(a.ID)
				if !ok {
					t.Errorf("%s, %s: %s is not in the catalogue", name, p.Kind, a.ID)
					continue
				}
				if strings.TrimSpace(a.Ref) == "" {
					t.Errorf("%s, %s: %s cites nothing", name, p.Kind, a.ID)
				}
				for _, part := range refPartsOf(a.Ref) {
					if !slices.Contains(refPartsOf(e.Ref), part) {
						t.Errorf("%s, %s: %s cites %q, which is not a part of its catalogue reference %q",
							name, p.Kind, a.ID, part, e.Ref)
					}
				}
			}
		}
	}
	// The runs reach every multi-part id they are meant to: a judge that
	// stops emitting one must not make this test vacuous.
	for _, id := range []string{"B2", "C4", "C10", "C11", "C11.error", "C15", "A5", "A5.issuer", "A5.required", "A6", "A4.30", "B6.samesite", "B14"} {
		if !seen[id] {
			t.Errorf("no run emitted %s", id)
		}
	}
}

// citesContext: the ids whose catalogue reference has several parts cite
// the part(s) that apply to the check and probe, and none that does not.
func citesContext(t *testing.T, runs map[string]Result) {
	for _, c := range []struct {
		run      string
		probe    ProbeKind
		id       string
		cites    []string // every part here
		citesNot []string // no part starting with one of these
	}{
		{"basic", ProbeWrong, "B2", []string{"RFC 9110 §11.4"}, []string{"RFC 6750", "RFC 6749", "RFC 8725"}},
		{"basic", ProbeMalformed, "B2", []string{"RFC 9110 §11.4"}, []string{"RFC 6750", "RFC 6749", "RFC 8725"}},
		{"basic accepting any password", ProbeWrong, "B2", []string{"RFC 9110 §11.4"}, []string{"RFC 6750", "RFC 6749", "RFC 8725"}},
		{"basic", ProbeWrong, "C4", []string{"RFC 7617 §2, §2.1"}, []string{"RFC 9110"}},
		{"api key", ProbeWrong, "B2", []string{"RFC 9110 §11.4"}, []string{"RFC 6750", "RFC 6749", "RFC 8725"}},
		{"bearer", ProbeWrong, "B2", []string{"RFC 6750 §3.1"}, []string{"RFC 6749", "RFC 8725"}},
		{"bearer", ProbeExpired, "B2", []string{"RFC 6750 §3.1"}, []string{"RFC 6749", "RFC 8725"}},
		{"bearer", ProbeScope, "B2", []string{"RFC 6750 §3.1"}, []string{"RFC 6749", "RFC 8725"}},
		{"bearer accepting anything", ProbeWrong, "B2", []string{"RFC 6750 §3.1"}, []string{"RFC 6749", "RFC 8725"}},
		{"bearer", ProbeForged, "B2", []string{"RFC 8725 §3.1"}, []string{"RFC 6749"}},
		{"bearer accepting anything", ProbeForged, "B2", []string{"RFC 8725 §3.1"}, []string{"RFC 6749"}},
		{"bearer", ProbeWrong, "C10", []string{"RFC 6750 §3"}, []string{"RFC 9449"}},
		{"token", ProbeTokenSecret, "B2", []string{"RFC 6749 §5.2"}, []string{"RFC 9110", "RFC 6750", "RFC 8725"}},
		{"token", ProbeTokenPassword, "B2", []string{"RFC 6749 §5.2"}, []string{"RFC 9110", "RFC 6750", "RFC 8725"}},
		{"token", ProbeTokenPassword, "C11.error", []string{"RFC 6749 §5.2"}, []string{"RFC 9700"}},
		{"token", ProbeToken, "C15", []string{"RFC 6749 §5.1"}, []string{"RFC 9449"}},
		{"login", ProbeLoginWrong, "B2", []string{"RFC 9110 §11.4"}, []string{"RFC 6750", "RFC 6749", "RFC 8725"}},
		{"openid discovery", ProbeDiscovery, "A5", []string{"OIDC Discovery §3, §4.3"}, []string{"RFC 8414"}},
		{"openid discovery", ProbeDiscovery, "A5.issuer", []string{"OIDC Discovery §4.3"}, []string{"RFC 8414"}},
		{"openid discovery", ProbeDiscovery, "A5.required", []string{"OIDC Discovery §3"}, []string{"RFC 8414"}},
		{"oauth discovery", ProbeDiscovery, "A5", []string{"RFC 8414 §2, §3.3"}, []string{"OIDC"}},
		{"oauth discovery", ProbeDiscovery, "A5.issuer-form", []string{"RFC 8414 §2"}, []string{"OIDC"}},
		{"oauth discovery", ProbeDiscovery, "A5.required", []string{"RFC 8414 §2"}, []string{"OIDC"}},
		{"openid discovery", ProbeDiscovery, "A4.30", []string{"RFC 5280 §4.1.2.5"}, []string{"RFC 9110"}},
	} {
		a := kindAssertion(t, runs[c.run], c.probe, c.id)
		parts := refPartsOf(a.Ref)
		for _, want := range c.cites {
			if !slices.Contains(parts, want) {
				t.Errorf("%s, %s: %s cites %q, want it to cite %q", c.run, c.probe, c.id, a.Ref, want)
			}
		}
		for _, not := range c.citesNot {
			if strings.Contains(a.Ref, not) {
				t.Errorf("%s, %s: %s cites %q, which does not apply here (%s)", c.run, c.probe, c.id, a.Ref, not)
			}
		}
	}
}
