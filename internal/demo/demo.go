// Package demo is a small sample API with login and protected routes (Basic,
// Bearer and API key) that the monitor can serve on loopback, so a new user
// can watch checks go green, switch the API into a broken mode and see the
// regression detected and alerted.
package demo

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
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
}

// API is the sample auth API. It is safe for concurrent use.
type API struct {
	creds Credentials
	mu    sync.RWMutex
	mode  string
}

// New returns the sample API in the given mode ("" means ok).
func New(creds Credentials, mode string) (*API, error) {
	a := &API{creds: creds, mode: ModeOK}
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
	mux.HandleFunc("POST /login", a.login)
	mux.Handle("GET /basic/profile", a.protect(`Basic realm="demo", charset="UTF-8"`, a.basicOK, nil))
	mux.Handle("GET /bearer/orders", a.protect(`Bearer realm="demo"`, a.bearerOK,
		[]string{`Bearer realm="demo", error="invalid_token", error_description="The access token is invalid"`}))
	mux.Handle("GET /apikey/reports", a.protect(`ApiKey realm="demo", header="X-API-Key"`, a.apiKeyOK, nil))
	return a.modeGate(mux)
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
		"routes": []string{"POST /login", "GET /basic/profile", "GET /bearer/orders", "GET /apikey/reports"},
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
		v, mode := check(r), a.Mode()
		if v == goodCredentials || mode == ModeBypass || (mode == ModeWrongAccepted && v == badCredentials) {
			writeJSON(w, http.StatusOK, map[string]string{"user": a.creds.Username, "data": "protected"})
			return
		}
		if mode != ModeNoChallenge {
			chs := []string{challenge}
			if v == badCredentials && badChallenge != nil {
				chs = badChallenge
			}
			for _, c := range chs {
				w.Header().Add("WWW-Authenticate", c)
			}
		}
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
	h := r.Header.Get("Authorization")
	if h == "" {
		return noCredentials
	}
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return badCredentials
	}
	return judge(equal(h[len(prefix):], a.creds.Token))
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
