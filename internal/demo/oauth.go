package demo

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// scopes are the scopes the token endpoint grants; allScopes is the default.
var scopes = []string{"orders:read", "profile:read"}

var allScopes = strings.Join(scopes, " ")

// token serves POST /oauth/token (RFC 6749 §5): the client credentials
// grant (§4.4) and the password grant (§4.3), with client_secret_basic or
// client_secret_post (§2.3.1). Errors follow §5.2: a failed client
// authentication is 401 invalid_client with a Basic challenge (a MUST when
// the client used the Authorization header), a wrong user password is 400
// invalid_grant.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	_ = r.ParseForm() // a body that is not a form leaves PostForm empty: invalid_request below
	form := r.PostForm
	w.Header().Set("Pragma", "no-cache")
	id, secret, basic := r.BasicAuth()
	if basic && form.Has("client_secret") {
		tokenError(w, http.StatusBadRequest, "invalid_request", "use one client authentication method, not two")
		return
	}
	if basic { // §2.3.1: the id and secret are form-encoded before Basic
		id, secret = unescape(id), unescape(secret)
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	v := judge(equal(id, a.creds.ClientID) && equal(secret, a.creds.ClientSecret))
	if id == "" && secret == "" {
		v = noCredentials
	}
	if !a.admitted(v) {
		a.challenge(w, `Basic realm="demo"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	scope, ok := grantScope(form.Get("scope"))
	switch grant := form.Get("grant_type"); {
	case grant == "":
		tokenError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
	case grant != "client_credentials" && grant != "password":
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "use client_credentials or password")
	case !ok:
		tokenError(w, http.StatusBadRequest, "invalid_scope", "grantable scopes: "+allScopes)
	case grant == "client_credentials":
		a.writeToken(w, r, cmp.Or(id, a.creds.ClientID), scope)
	default:
		a.passwordGrant(w, r, form, scope)
	}
}

func (a *API) passwordGrant(w http.ResponseWriter, r *http.Request, form url.Values, scope string) {
	user, pass := form.Get("username"), form.Get("password")
	v := judge(equal(user, a.creds.Username) && equal(pass, a.creds.Password))
	if user == "" && pass == "" {
		v = noCredentials
	}
	if !a.admitted(v) {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "invalid resource owner credentials")
		return
	}
	a.writeToken(w, r, cmp.Or(user, a.creds.Username), scope)
}

// grantScope checks a requested scope list; empty asks for every scope.
func grantScope(req string) (string, bool) {
	asked := strings.Fields(req)
	if len(asked) == 0 {
		return allScopes, true
	}
	for _, s := range asked {
		if !slices.Contains(scopes, s) {
			return "", false
		}
	}
	return strings.Join(asked, " "), true
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// issuer is the sample API's base URL as the request reached it: the iss
// of its tokens and its discovery document.
func issuer(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// discovery serves the OpenID Connect discovery document (OIDC Discovery
// §3, §4): every REQUIRED member, with the issuer the request reached.
func (a *API) discovery(w http.ResponseWriter, r *http.Request) {
	iss := issuer(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/oauth/token",
		"jwks_uri":                              iss + "/jwks.json",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"grant_types_supported":                 []string{"client_credentials", "password"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      scopes,
	})
}

// jwks serves the public key that verifies the sample API's tokens.
func (a *API) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{a.signer.jwk()}})
}

// authorize is the discovery document's required authorization_endpoint.
// The sample API has no interactive login: without a registered client
// and redirect URI, RFC 6749 §4.1.2.1 says to tell the user, not redirect.
func authorize(w http.ResponseWriter, _ *http.Request) {
	tokenError(w, http.StatusBadRequest, "invalid_request", "the sample API has no interactive login: use /oauth/token")
}
