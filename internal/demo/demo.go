// Package demo is a small sample API that the monitor can serve on
// loopback, so a new user can watch checks of every kind go green, switch
// the API into a broken mode and see the regression detected and alerted:
// routes protected with Basic, a static Bearer token, an API key, a JWT and
// a session cookie; a login endpoint; an OAuth2 token endpoint; a discovery
// document and its JWKS.
package demo

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Modes the sample API can be in. Every mode but "ok" is a regression the
// example checks detect.
const (
	ModeOK            = "ok"             // behaves per the RFCs
	ModeBypass        = "bypass"         // protected routes answer 200 to anyone
	ModeNoChallenge   = "no-challenge"   // 401 without WWW-Authenticate
	ModeWrongAccepted = "wrong-accepted" // any credentials are accepted
	ModeDown          = "down"           // 503 for everything
)

var modes = []string{ModeOK, ModeBypass, ModeNoChallenge, ModeWrongAccepted, ModeDown}

// Credentials are the ones the sample API accepts.
type Credentials struct {
	Username, Password, Token, APIKey string
	// ClientID and ClientSecret are the OAuth2 client of the token
	// endpoint; empty means DefaultClientID and DefaultClientSecret.
	ClientID, ClientSecret string
}

// The OAuth2 client the token endpoint accepts when none is configured.
const (
	DefaultClientID     = "demo-client"
	DefaultClientSecret = "demo-client-secret"
)

// API is the sample auth API. It is safe for concurrent use.
type API struct {
	creds    Credentials
	signer   *signer
	sessions sessions
	now      func() time.Time
	mu       sync.RWMutex
	mode     string
}

// New returns the sample API in the given mode ("" means ok). Its token
// signing key is derived from creds, so the same credentials give the same
// key and the same static tokens (see StaticTokens).
func New(creds Credentials, mode string) (*API, error) {
	creds.ClientID = cmp.Or(creds.ClientID, DefaultClientID)
	creds.ClientSecret = cmp.Or(creds.ClientSecret, DefaultClientSecret)
	sg, err := newSigner(creds.Username, creds.Password, creds.Token, creds.APIKey, creds.ClientID, creds.ClientSecret)
	if err != nil {
		return nil, err
	}
	a := &API{creds: creds, signer: sg, now: time.Now, mode: ModeOK}
	if mode != "" {
		if err := a.SetMode(mode); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Modes lists the modes, "ok" first.
func (a *API) Modes() []string { return slices.Clone(modes) }

// Mode returns the current mode.
func (a *API) Mode() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.mode
}

// SetMode switches the behaviour of every route at once.
func (a *API) SetMode(mode string) error {
	if !slices.Contains(modes, mode) {
		return fmt.Errorf("demo: unknown mode %q", mode)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mode = mode
	return nil
}

// Handler serves the routes.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.Handle("GET /basic/profile", a.protect(`Basic realm="demo", charset="UTF-8"`, a.basicOK, nil))
	mux.Handle("GET /bearer/orders", a.protect(`Bearer realm="demo"`, a.bearerOK,
		[]string{`Bearer realm="demo", error="invalid_token", error_description="The access token is invalid"`}))
	mux.Handle("GET /apikey/reports", a.protect(`ApiKey realm="demo", header="X-API-Key"`, a.apiKeyOK, nil))
	mux.HandleFunc("GET /jwt/orders", a.jwtOrders)
	mux.HandleFunc("GET /login", loginPage)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /session", a.preLogin)
	mux.HandleFunc("GET /account", a.account)
	mux.HandleFunc("POST /oauth/token", a.token)
	mux.HandleFunc("GET /authorize", authorize)
	mux.HandleFunc("GET /.well-known/openid-configuration", a.discovery)
	mux.HandleFunc("GET /jwks.json", a.jwks)
	mux.HandleFunc("GET /demo/tokens", a.staticTokens)
	return a.modeGate(mux)
}

// routes is the index's list, for people exploring the API.
var routes = []string{
	"GET /basic/profile (Basic)", "GET /bearer/orders (static Bearer token)", "GET /apikey/reports (X-API-Key)",
	"GET /jwt/orders (Bearer JWT with scope orders:read)", "GET /account (session cookie __Host-sid)",
	"GET /session (pre-login session)", "POST /login", "POST /oauth/token",
	"GET /.well-known/openid-configuration", "GET /jwks.json", "GET /demo/tokens",
}

func (a *API) modeGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Mode() == ModeDown {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the sample API is down (demo mode)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) index(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"mode":   a.Mode(),
		"routes": routes,
	})
}

// verdict says what a request presented.
type verdict int

const (
	noCredentials verdict = iota
	badCredentials
	goodCredentials
)

// protect answers 200 to good credentials and 401 with a challenge otherwise,
// bent by the current mode. badChallenge, when set, replaces the challenge for
// requests that carried credentials (Bearer's error="invalid_token").
func (a *API) protect(challenge string, check func(*http.Request) verdict, badChallenge []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := check(r)
		if a.admitted(v) {
			writeJSON(w, http.StatusOK, map[string]string{"user": a.creds.Username, "data": "protected"})
			return
		}
		chs := []string{challenge}
		if v == badCredentials && badChallenge != nil {
			chs = badChallenge
		}
		a.challenge(w, chs...)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
	})
}

func (a *API) basicOK(r *http.Request) verdict {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return noCredentials
	}
	return judge(equal(user, a.creds.Username) && equal(pass, a.creds.Password))
}

func (a *API) bearerOK(r *http.Request) verdict {
	tok, present := bearerToken(r)
	if !present {
		return noCredentials
	}
	return judge(equal(tok, a.creds.Token))
}

// bearerToken returns the token of an "Authorization: Bearer" header, the
// scheme matched case-insensitively (RFC 9110 §11.1). present is false
// without Bearer credentials: another scheme is no authentication
// information to a Bearer resource, which then sends no error code (RFC
// 6750 §3.1).
func bearerToken(r *http.Request) (tok string, present bool) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return tok, strings.EqualFold(scheme, "Bearer")
}

// admitted says whether the current mode lets a request in: good
// credentials always; anything in bypass mode; any presented credentials
// (wrong, expired, under-scoped, unsigned) in wrong-accepted mode.
func (a *API) admitted(v verdict) bool {
	mode := a.Mode()
	return v == goodCredentials || mode == ModeBypass || (mode == ModeWrongAccepted && v == badCredentials)
}

// challenge sets WWW-Authenticate, unless the mode is no-challenge.
func (a *API) challenge(w http.ResponseWriter, values ...string) {
	if a.Mode() == ModeNoChallenge {
		return
	}
	for _, v := range values {
		w.Header().Add("WWW-Authenticate", v)
	}
}

func (a *API) apiKeyOK(r *http.Request) verdict {
	k := r.Header.Get("X-API-Key")
	if k == "" {
		return noCredentials
	}
	return judge(equal(k, a.creds.APIKey))
}

func judge(ok bool) verdict {
	if ok {
		return goodCredentials
	}
	return badCredentials
}

// equal compares in constant time, as a real API must.
func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
